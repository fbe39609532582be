package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin (CLAP build, test host playing in real time, monitor dry) while the daemon is absent,
 * starts, is killed with SIGKILL and starts again: the state output goes offline, connected, offline,
 * connected by itself; the audio passes through untouched the whole time and no process() call ever
 * stalls. (A stall is what a blocking call would cost: a connect or receive timeout, hundreds of ms to
 * seconds. The bound is 100 ms, not the 10.7 ms block budget, because the test host's audio thread is
 * an ordinary thread on a shared 2-core machine, where the daemon's start-up can preempt it for a few ms;
 * the absence of any blocking call inside process() is proven by the LD_PRELOAD test in make check.)
 */
class ShimDaemonFaultTest {
    private static final Pattern LINE = Pattern.compile("watch: t=([0-9.]+) state=(\\d+) mismatches=(\\d+) max_block_us=(\\d+)");

    @TempDir
    Path dir;
    private PluginRig rig;
    private Process host;

    @AfterEach
    void stop() throws InterruptedException {
        if (host != null) {
            host.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void offlineReconnectsAndPassesAudioThrough() throws Exception {
        NativeShim.build();
        rig = PluginRig.unstarted(dir);
        DaemonProcess daemon = rig.daemon;
        ProcessBuilder pb = new ProcessBuilder(NativeShim.TEST_HOST.toString(), "--watch", NativeShim.CLAP.toString(), "170")
                .redirectErrorStream(true);
        pb.environment().putAll(rig.env());
        host = pb.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (java.io.IOException e) {
                lines.add("reader: " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();

        awaitState(lines, false, 10, "offline before the daemon exists");
        daemon.start("daemon.log");
        awaitState(lines, true, 60, "connected once the daemon listens");
        daemon.kill();
        long killed = System.nanoTime();
        awaitState(lines, false, 15, "offline after SIGKILL");
        double secondsToOffline = (System.nanoTime() - killed) / 1e9;
        assertTrue(secondsToOffline < 12, "took " + secondsToOffline + " s to notice");
        daemon.start("daemon2.log");
        awaitState(lines, true, 60, "reconnected after the restart");
    }

    /** Waits for the state output to say offline (0) or connected (1 idle, 2 capturing: it plays). */
    private static void awaitState(BlockingQueue<String> lines, boolean online, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < deadline) {
            String l = lines.poll(500, TimeUnit.MILLISECONDS);
            if (l == null) {
                continue;
            }
            seen.append(l).append('\n');
            Matcher m = LINE.matcher(l);
            if (!m.find()) {
                continue;
            }
            assertEquals(0, Long.parseLong(m.group(3)), "the input did not pass through untouched: " + l);
            assertTrue(Long.parseLong(m.group(4)) < 100_000, "a process() call stalled: " + l);
            int state = Integer.parseInt(m.group(2));
            if (online ? state == 1 || state == 2 : state == 0) {
                return;
            }
        }
        throw new AssertionError("not " + what + " within " + seconds + " s:\n" + seen);
    }
}
