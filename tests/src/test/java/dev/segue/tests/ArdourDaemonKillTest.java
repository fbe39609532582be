package dev.segue.tests;

import static dev.segue.tests.ArdourRenderTest.BAR_FRAMES;
import static dev.segue.tests.ArdourRenderTest.BPM;
import static dev.segue.tests.ArdourRenderTest.PARAMS;
import static dev.segue.tests.ArdourRenderTest.RATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon killed with -9 while Ardour renders through the plugin (LV2 build): the render still completes,
 * the plugin passes the clip through untouched, it does not hang the host on the lost job, and once the daemon
 * is back on the same endpoint the plugin in a new render gets its take again.
 */
class ArdourDaemonKillTest {
    /** The daemon's log line when a job is accepted (engine-daemon server/Daemon.java). */
    private static final Pattern JOB_ACCEPTED = Pattern.compile("job \\S+: \\d+ candidates");
    /** 120 s of session at about 30x real time leave 3 s of rendering after the fire at bar 5 to kill the daemon in. */
    private static final double SESSION_SECONDS = 120;
    /** How long Ardour may take to finish once the daemon is dead: the plugin must not wait out a lost job. */
    private static final long EXIT_AFTER_KILL_S = 30;

    @TempDir
    Path dir;
    private PluginRig rig;
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void killedDaemonMidRenderLeavesPassThroughAudioAndTheRestartedDaemonServesTheNextRender() throws Exception {
        rig = PluginRig.start(dir, "daemon-1.log");
        DaemonProcess daemon = rig.daemon;
        Path stems = dir.resolve("stems-1");
        Path clip = ArdourHost.clip(dir, RATE, 30, SESSION_SECONDS);
        Map<String, String> env = rig.env("SEGUE_STEMS_DIR", stems.toString());
        Future<ArdourHost.Render> rendering = pool.submit(() -> ArdourHost.render(dir.resolve("work-1"),
                dir.resolve("render-1.wav"), "lv2", clip, BPM, env, PARAMS));

        // The kill: as soon as the daemon has the plugin's job, SIGKILL (no shutdown hook, sockets torn down).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Path daemonLog = dir.resolve("daemon-1.log");
        while (!JOB_ACCEPTED.matcher(Files.readString(daemonLog)).find()) {
            assertTrue(System.nanoTime() < deadline && !rendering.isDone(),
                    "the plugin's job never reached the daemon; render:\n" + (rendering.isDone() ? rendering.get().output() : "(running)")
                    + "\ndaemon:\n" + Files.readString(daemonLog));
            Thread.sleep(20);
        }
        daemon.kill();
        long killedAt = System.nanoTime();

        ArdourHost.Render render = rendering.get(ArdourHost.RENDER_TIMEOUT_S, TimeUnit.SECONDS);
        // ASSERTED: the render completes (exit 0, whole session) although the daemon died during it.
        assertEquals(0, render.exitCode(), render.output());
        // ASSERTED: the kill landed mid-render: before ardour7-export reported the audio written.
        assertTrue(render.doneAtNanos() > killedAt, "the daemon was killed only after the render had finished;"
                + " the session is too short for this machine:\n" + render.output());
        // ASSERTED: the host was not held up by the lost job (ardour7-export exits well before any long wait).
        long exitAfterKillS = TimeUnit.NANOSECONDS.toSeconds(render.exitedAtNanos() - killedAt);
        assertTrue(exitAfterKillS < EXIT_AFTER_KILL_S, "Ardour took " + exitAfterKillS + " s to finish after the kill");
        // ASSERTED: pass-through: the whole render equals the dry clip within float precision (no take exists).
        WavFile rendered = WavFile.read(render.file());
        WavFile dry = WavFile.read(clip);
        assertEquals(dry.frames(), rendered.frames(), "render length");
        double diff = ArdourHost.maxDifference(rendered, dry, 0, dry.frames());
        assertTrue(diff < 1e-6, "the render differs from the dry clip by " + diff);
        // ASSERTED: no stem (whole or partial) from the job the daemon never finished.
        assertEquals(List.of(), wavs(stems), "stems after the kill");

        // The daemon back on the same endpoint and data folder: the plugin connects again and gets its take.
        daemon.start("daemon-2.log");
        Path stems2 = dir.resolve("stems-2");
        Path shortClip = dir.resolve("short");
        Files.createDirectories(shortClip);
        Path clip2 = ArdourHost.clip(shortClip, RATE, 30, 8 * BAR_FRAMES / (double) RATE);
        ArdourHost.Render again = ArdourHost.render(dir.resolve("work-2"), dir.resolve("render-2.wav"), "lv2", clip2, BPM,
                rig.env("SEGUE_STEMS_DIR", stems2.toString()), PARAMS);
        // ASSERTED: the render after the restart completes and its take's stem is right (name, length, format).
        assertEquals(0, again.exitCode(), again.output());
        ArdourRenderTest.assertStem(stems2, again);
    }

    private static List<Path> wavs(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".wav")).toList();
        }
    }
}
