package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `segue app` against the real daemon, in a window on a private Xvfb display: a job submitted with
 * `segue continue` appears in the window by itself with its takes drawn; play, take switching, A/B and
 * stop work through the window's buttons; a screenshot is saved (target/app-screenshot.png); the daemon
 * is killed and the window says it is offline and stays responsive, then reconnects when it is back; then
 * the window's Extend continues take 1 by a bar, and shows the extension's take when it is done.
 *
 * <p>Needs Xvfb (Debian: xvfb) and a JDK with AWT's X11 library (openjdk-17-jre); it fails, not skips,
 * without them, since CI installs both.
 */
class CompanionAppTest {
    static final int TAKES = 3;
    static final Path SCREENSHOT = SeguePart.ROOT.resolve("tests/target/app-screenshot.png");

    @TempDir
    Path dir;
    private DaemonProcess daemon;
    private XDisplay xDisplay;
    private Process app;

    @AfterEach
    void stop() throws InterruptedException {
        if (app != null) {
            app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (xDisplay != null) {
            xDisplay.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void jobsAndTakesLiveWithAuditionScreenshotAndOfflineDaemon() throws Exception {
        daemon = new DaemonProcess(dir);
        daemon.start("daemon-1.log");
        xDisplay = XDisplay.start(dir);
        Path log = dir.resolve("app.log");
        BlockingQueue<String> lines = startApp(xDisplay.name(), log);

        expect(lines, "READY", log);
        String job = submitJob();
        System.out.println("app: " + expect(lines, "PREVIEWS ", log) + " preview rows drawn while the job ran");
        String shown = expect(lines, "TAKES ", log);
        assertEquals(job, shown, "the window shows the job just submitted");
        expect(lines, "AUDITION ", log);
        expect(lines, "SHOT ", log);
        BufferedImage shot = ImageIO.read(SCREENSHOT.toFile());
        assertTrue(shot.getWidth() >= 800 && shot.getHeight() >= 500, "screenshot " + shot.getWidth() + "x" + shot.getHeight());

        daemon.kill();
        String offline = expect(lines, "OFFLINE ", log);
        assertTrue(offline.contains("offline"), offline);
        daemon.start("daemon-2.log");
        expect(lines, "ONLINE ", log);
        String extended = expect(lines, "EXTENDED ", log);
        assertTrue(extended.contains(" from " + job + ": take 1 of " + job + " extended"), extended);
        expect(lines, "PASS", log);
        assertTrue(app.waitFor(20, TimeUnit.SECONDS), "the app exits after closing");
        assertEquals(0, app.exitValue(), Files.readString(log));
        // The fetched takes were cached as the WAVs a drag hands out, bar-named as the plugin names its stems
        // (the job id in the track's place): <job>_bar<NNN>_<BPM>bpm_take<K>.wav.
        List<String> cached;
        try (java.util.stream.Stream<Path> files = Files.list(dir.resolve("cache/stems"))) {
            cached = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".wav")).sorted().toList();
        }
        assertEquals(TAKES + 1, cached.size(), "one cached WAV per take, and the extension's: " + cached);
        for (int c = 1; c <= TAKES; c++) {
            String pattern = java.util.regex.Pattern.quote(job) + "_bar\\d{3}(\\.\\d+)?_120bpm_take" + c + "\\.wav";
            assertTrue(cached.stream().anyMatch(n -> n.matches(pattern)), "take " + c + " cached as " + pattern + ": " + cached);
        }
    }

    private BlockingQueue<String> startApp(String display, Path log) throws IOException {
        Path target = SeguePart.ROOT.resolve("host-bridge/target");
        String classpath = SeguePart.ROOT.resolve("tests/target/test-classes") + File.pathSeparator
                + target.resolve("segue-host-bridge-0.1.0-SNAPSHOT.jar") + File.pathSeparator
                + Files.readString(target.resolve("classpath.txt")).trim();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, AppWindowDriver.class.getName(), daemon.endpoint, dir.resolve("cache").toString(),
                SCREENSHOT.toString(), Integer.toString(TAKES)).redirectErrorStream(true);
        pb.environment().put("DISPLAY", display);
        pb.environment().remove("XAUTHORITY");
        app = pb.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Files.writeString(log, line + "\n", java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("FAIL reading the app's output: " + e);
            }
        }, "app-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /** The rest of the first line starting with {@code prefix}; a FAIL line or a silent minute fails the test. */
    private static String expect(BlockingQueue<String> lines, String prefix, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line == null) {
                continue;
            }
            if (line.startsWith("FAIL")) {
                throw new AssertionError("the app failed: " + line + "\n" + Files.readString(log));
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
        throw new AssertionError("the app did not report '" + prefix + "' within 60 s:\n"
                + (Files.exists(log) ? Files.readString(log) : "(no output)"));
    }

    private String submitJob() throws Exception {
        Path prime = dir.resolve("prime.wav");
        TestAudio.writeSinePrime(prime, 48_000, 2 * 48_000);
        Path logFile = dir.resolve("continue.log");
        Process p = new ProcessBuilder(SeguePart.bridge("continue", "--in", prime.toString(), "--seconds", "0.7",
                "--takes", Integer.toString(TAKES), "--seed", "11", "--out", dir.resolve("takes").toString(),
                "--endpoint", daemon.endpoint)).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "continue did not finish");
        String out = Files.readString(logFile);
        assertEquals(0, p.exitValue(), "continue failed:\n" + out);
        Matcher m = Pattern.compile("^job (\\S+)$", Pattern.MULTILINE).matcher(out);
        assertTrue(m.find(), "no job id in:\n" + out);
        return m.group(1);
    }
}
