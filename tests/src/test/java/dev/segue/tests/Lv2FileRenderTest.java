package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LV2 build in lv2file (an offline host with no transport) against the daemon process.
 *
 * lv2file reports no transport, so the plugin plays its own timeline from sample 0 at fallback_bpm
 * (400 here), 4/4: a bar is 0.6 s = 28800 frames at 48 kHz. auto_fire_bar=3 fires at sample 57600 with
 * the 2 bars before it as the prime. An offline renderer finishes long before a take could come back,
 * so the input is fed through a FIFO at real-time pace, as a live input would arrive, until the
 * plugin's client thread has written the stem; then the input ends and lv2file exits.
 */
class Lv2FileRenderTest {
    static final int RATE = 48000;

    @TempDir
    Path dir;
    @AutoClose
    private PluginRig rig;

    @Test
    void autoFireWritesAStemOfExactlyTheBarsAskedFor() throws Exception {
        NativeShim.build();
        rig = PluginRig.start(dir, "daemon.log");
        Path lv2Path = Files.createDirectories(dir.resolve("lv2"));
        Files.createSymbolicLink(lv2Path.resolve("segue-shim.lv2"), NativeShim.LV2);
        Path stems = rig.stems;
        Path fifo = dir.resolve("input.fifo");
        assertEquals(0, NativeShim.run(List.of("mkfifo", fifo.toString()), Map.of(), 10).exitCode());

        ProcessBuilder pb = new ProcessBuilder("lv2file", "-i", fifo.toString(), "-o", dir.resolve("out.wav").toString(),
                "-p", "auto_fire_bar:3", "-p", "fallback_bpm:400", "-p", "generate_bars:1", "-p", "takes:1",
                "-p", "capture_bars:2", "urn:segue:shim").redirectErrorStream(true)
                .redirectOutput(dir.resolve("lv2file.log").toFile());
        pb.environment().putAll(rig.env("LV2_PATH", lv2Path.toString()));
        Process lv2file = pb.start();
        Path stem = stems.resolve("track_bar003_400bpm_take1.wav");
        long fed = feedRealTimeUntil(fifo, stem, 120);
        assertTrue(lv2file.waitFor(60, TimeUnit.SECONDS), "lv2file did not exit after its input ended");
        String log = Files.readString(dir.resolve("lv2file.log"));
        assertEquals(0, lv2file.exitValue(), log);
        assertTrue(Files.exists(stem), "no stem after " + fed + " frames fed; lv2file:\n" + log + "\nstems: "
                + (Files.isDirectory(stems) ? List.of(stems.toFile().list()) : "none") + "\ndaemon:\n"
                + Files.readString(dir.resolve("daemon.log")));

        ByteBuffer wav = ByteBuffer.wrap(Files.readAllBytes(stem)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("RIFF", new String(wav.array(), 0, 4));
        int channels = wav.getShort(22);
        assertEquals(RATE, wav.getInt(24));
        assertEquals(24, wav.getShort(34));
        long frames = wav.getInt(40) / (3L * channels);
        // PROTOCOL.md 4.1: floor(bars * 240 * num / (den * bpm) * rate + 0.5)
        long expected = (long) Math.floor(1 * 240.0 * 4 / (4 * 400.0) * RATE + 0.5);
        assertEquals(28800, expected);
        assertEquals(expected, frames, "stem length in frames");
        assertEquals(44 + frames * 3 * channels, wav.capacity());
        boolean sound = false;
        for (int i = 44; i + 2 < wav.capacity() && !sound; i += 3) {
            sound = wav.get(i) != 0 || wav.get(i + 1) != 0 || wav.get(i + 2) != 0;
        }
        assertTrue(sound, "the stem is silent");
    }

    /** Writes a 16-bit stereo WAV (header for 60 s) into the FIFO at real-time pace until `until` exists. */
    private static long feedRealTimeUntil(Path fifo, Path until, int maxSeconds) throws Exception {
        long total = 60L * RATE;
        long sent = 0;
        try (OutputStream out = Files.newOutputStream(fifo)) {
            ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
            h.put("RIFF".getBytes()).putInt((int) (36 + total * 4)).put("WAVEfmt ".getBytes()).putInt(16)
                    .putShort((short) 1).putShort((short) 2).putInt(RATE).putInt(RATE * 4).putShort((short) 4)
                    .putShort((short) 16).put("data".getBytes()).putInt((int) (total * 4));
            out.write(h.array());
            long start = System.nanoTime();
            int chunk = RATE / 20;
            ByteBuffer buf = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
            while (sent < total && sent < (long) maxSeconds * RATE && !Files.exists(until)) {
                buf.clear();
                for (int i = 0; i < chunk; i++) {
                    double t = (sent + i) / (double) RATE;
                    buf.putShort((short) (8000 * Math.sin(2 * Math.PI * 220 * t)));
                    buf.putShort((short) (8000 * Math.sin(2 * Math.PI * 330 * t)));
                }
                out.write(buf.array());
                out.flush();
                sent += chunk;
                long due = start + sent * 1_000_000_000L / RATE;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        }
        return sent;
    }
}
