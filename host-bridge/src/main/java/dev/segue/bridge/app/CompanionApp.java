package dev.segue.bridge.app;

import com.formdev.flatlaf.FlatDarkLaf;
import dev.segue.bridge.app.audition.AudioSink;
import dev.segue.bridge.app.audition.AuditionPlayer;
import dev.segue.bridge.app.audition.JavaSoundSink;
import dev.segue.bridge.app.audition.NullSink;
import dev.segue.bridge.app.cache.TakeCache;
import dev.segue.bridge.app.watch.DaemonClients;
import dev.segue.bridge.app.watch.JobWatcher;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.swing.SwingUtilities;

/**
 * {@code segue app}: the companion window, its watcher and its player. {@link #open} shows it;
 * {@link #awaitClosed} returns once the user closed it (or {@link #close} was called).
 */
public final class CompanionApp implements AutoCloseable {
    /** How often the job list is polled. */
    public static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
    /** Finished jobs whose takes are loaded without being asked for, newest first. */
    static final int AUTO_LOAD_JOBS = 8;
    /** Takes kept in memory: 64 Mi samples (256 MB of floats), the rest re-read from the cache folder. */
    static final long MEMORY_BUDGET_SAMPLES = 64L << 20;
    static final int MAX_JOBS_ON_DISK = 64;

    /** Which output the audition player uses. */
    public enum Audio {
        /** The default JavaSound device, or the silent stand-in when there is none. */
        SYSTEM,
        /** The silent stand-in, at real-time pace (CI, tests, a remote session). */
        NONE
    }

    /**
     * @param cacheDir where fetched takes are kept (and dragged from): {@code stems/}, {@code jobs/}
     */
    public record Config(DaemonClients clients, Path cacheDir, Audio audio) {}

    private final AppWindow window;
    private final JobWatcher watcher;
    private final AuditionPlayer player;
    private final CountDownLatch closed = new CountDownLatch(1);

    private CompanionApp(AppWindow window, JobWatcher watcher, AuditionPlayer player) {
        this.window = window;
        this.player = player;
        this.watcher = watcher;
    }

    /** Builds the window on the EDT, shows it, and starts watching the daemon. Call from any thread but the EDT. */
    public static CompanionApp open(Config config) throws IOException, InterruptedException {
        TakeCache cache = new TakeCache(config.cacheDir(), MEMORY_BUDGET_SAMPLES, MAX_JOBS_ON_DISK);
        AudioSink sink = config.audio() == Audio.SYSTEM && JavaSoundSink.available() ? new JavaSoundSink() : new NullSink(1.0);
        AuditionPlayer player = new AuditionPlayer(sink);
        AppWindow[] built = new AppWindow[1];
        try {
            SwingUtilities.invokeAndWait(() -> {
                FlatDarkLaf.setup();
                built[0] = new AppWindow(cache, player);
            });
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("could not build the window: " + e.getCause(), e.getCause());
        }
        AppWindow window = built[0];
        JobWatcher watcher = new JobWatcher(config.clients(), cache, new EdtEvents(window), POLL_INTERVAL, AUTO_LOAD_JOBS);
        CompanionApp app = new CompanionApp(window, watcher, player);
        SwingUtilities.invokeLater(() -> {
            window.attach(watcher);
            window.addWindowListener(new WindowAdapter() {
                @Override
                public void windowClosed(WindowEvent e) {
                    app.shutDown();
                }
            });
            window.setLocationRelativeTo(null);
            window.setVisible(true);
        });
        watcher.start();
        return app;
    }

    public AppWindow window() {
        return window;
    }

    public AuditionPlayer player() {
        return player;
    }

    /** Waits until the window is closed; false if {@code timeout} passed first. */
    public boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
        return closed.await(timeout, unit);
    }

    @Override
    public void close() {
        SwingUtilities.invokeLater(window::dispose); // windowClosed then shuts the rest down
        shutDown();
    }

    private synchronized void shutDown() {
        if (closed.getCount() == 0) {
            return;
        }
        watcher.close();
        player.close();
        closed.countDown();
    }
}
