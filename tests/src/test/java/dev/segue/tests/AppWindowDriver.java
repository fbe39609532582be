package dev.segue.tests;

import dev.segue.bridge.app.AppWindow;
import dev.segue.bridge.app.CompanionApp;
import dev.segue.bridge.app.audition.AuditionPlayer;
import dev.segue.bridge.app.watch.DaemonClients;
import dev.segue.bridge.client.DaemonClient;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.swing.SwingUtilities;

/**
 * The companion app in a child JVM whose DISPLAY is a private Xvfb (see {@link CompanionAppTest}). It
 * drives the real window as a user would and reports each phase on stdout; the parent test moves the
 * daemon along (submits a job, kills it, restarts it) between phases. Exit 0 when every check held;
 * otherwise it prints {@code FAIL reason} and exits 1.
 *
 * <p>args: endpoint, cache dir, screenshot PNG, takes expected in the job.
 */
public final class AppWindowDriver {
    private static final long PHASE_TIMEOUT_MS = 40_000;

    private AppWindowDriver() {}

    public static void main(String[] args) throws Exception {
        try {
            run(args[0], Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]));
            System.out.println("PASS");
            System.exit(0);
        } catch (Throwable e) {
            System.out.println("FAIL " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }

    private static void run(String endpoint, Path cache, Path screenshot, int takes) throws Exception {
        DaemonClients clients = new DaemonClients() {
            @Override
            public DaemonClient forPolling() {
                return new DaemonClient(endpoint, Duration.ofSeconds(2));
            }

            @Override
            public DaemonClient forTransfers() {
                return new DaemonClient(endpoint, Duration.ofSeconds(10));
            }

            @Override
            public String endpoint() {
                return endpoint;
            }
        };
        CompanionApp app = CompanionApp.open(new CompanionApp.Config(clients, cache, CompanionApp.Audio.NONE));
        AppWindow w = app.window();
        window = w;
        AuditionPlayer player = app.player();
        await("window shown and online", () -> w.isShowing() && w.connectionText().contains("online"));
        say("READY");

        // The parent submits a job now: the app lists it by itself, follows it, and shows its takes.
        int[] previews = {0}; // whether the running job's previews showed depends on timing: reported, not required
        await("a job listed with " + takes + " takes drawn", () -> {
            previews[0] = Math.max(previews[0], w.renderedPreviews());
            return !w.listedJobs().isEmpty() && w.listedJobs().get(0).equals(w.shownJob()) && w.renderedTakes() == takes;
        });
        say("PREVIEWS " + previews[0]);
        say("TAKES " + w.shownJob());

        // Audition through the window's own controls (a silent line: no sound card here). Looping, so a short
        // take is still playing when the checks below look at it.
        onEdt(() -> w.loopButton().doClick());
        check(player.isLoop(), "the loop button sets looping");
        onEdt(() -> w.playButton().doClick());
        await("playing", player::isPlaying);
        long first = player.position();
        await("position advancing", () -> player.position() > first + 2048);
        check(player.current().name().endsWith("take 1"), "take 1 plays first, got " + player.current().name());
        onEdt(() -> w.chooseTake(1));
        check(player.current().name().endsWith("take 2"), "choosing take 2 switches to it");
        check(player.isPlaying(), "still playing after switching takes");
        check(get(() -> w.abButton().isEnabled()), "A/B enabled once two takes were chosen");
        long beforeAb = player.position();
        onEdt(() -> w.abButton().doClick());
        long afterAb = player.position();
        check(player.current().name().endsWith("take 1"), "A/B switches back to take 1, got " + player.current().name());
        long frames = player.current().frames();
        long moved = Math.floorMod(afterAb - beforeAb, frames); // looping: the position may wrap
        check(moved < frames / 2, "A/B keeps the position (" + beforeAb + " -> " + afterAb + " of " + frames + ")");
        onEdt(() -> w.playButton().doClick());
        await("stopped", () -> !player.isPlaying());
        check(!get(() -> w.playButton().isSelected()), "the play button is released on stop");
        say("AUDITION ok, A/B at frame " + afterAb);

        Thread.sleep(200); // one more playhead refresh before the picture
        BufferedImage shot = get(w::screenshot);
        Files.createDirectories(screenshot.toAbsolutePath().getParent());
        ImageIO.write(shot, "png", screenshot.toFile());
        say("SHOT " + screenshot);

        // The parent kills the daemon: the window says so and stays responsive, then reconnects by itself.
        await("daemon offline shown", () -> w.connectionText().contains("offline"));
        long t0 = System.nanoTime();
        onEdt(() -> w.selectJob(w.listedJobs().get(0))); // the EDT answers while the daemon is gone
        long edtMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        check(edtMillis < 500, "the EDT answered in " + edtMillis + " ms while offline");
        check(get(w::renderedTakes) == takes, "cached takes still shown while offline");
        say("OFFLINE " + get(w::connectionText));
        await("reconnected", () -> w.connectionText().contains("online"));
        say("ONLINE " + get(w::connectionText));

        // Extend, after the restart: the take heard (take 1) by one bar. The daemon kept the take's state, the
        // window selects the extension when it is listed, follows it, and draws its one take.
        String original = get(w::shownJob);
        onEdt(() -> {
            w.extendBars(1);
            w.extendButton().doClick();
        });
        await("the extension shown with its take drawn", () -> !original.equals(w.shownJob()) && w.renderedTakes() == 1
                && w.statusMessage().contains("extended: job " + w.shownJob()));
        check(get(() -> w.extendButton().isEnabled()), "Extend is enabled again once the daemon answered");
        say("EXTENDED " + get(w::shownJob) + " from " + original + ": " + get(w::statusMessage));
        app.close();
        check(app.awaitClosed(10, TimeUnit.SECONDS), "the app closes");
    }

    private static String state() {
        return "jobs " + window.listedJobs() + ", job " + window.shownJob() + " with " + window.renderedTakes()
                + " takes and " + window.renderedPreviews() + " previews drawn, notice '" + window.noticeText() + "', status '"
                + window.connectionText() + "'";
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static AppWindow window;

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.currentTimeMillis() + PHASE_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (get(condition)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for: " + what + "; the window shows " + get(AppWindowDriver::state));
    }

    private static void onEdt(Runnable r) throws Exception {
        SwingUtilities.invokeAndWait(r);
    }

    private static <T> T get(Callable<T> c) throws Exception {
        Object[] out = new Object[1];
        Exception[] failed = new Exception[1];
        SwingUtilities.invokeAndWait(() -> {
            try {
                out[0] = c.call();
            } catch (Exception e) {
                failed[0] = e;
            }
        });
        if (failed[0] != null) {
            throw failed[0];
        }
        @SuppressWarnings("unchecked")
        T t = (T) out[0];
        return t;
    }
}
