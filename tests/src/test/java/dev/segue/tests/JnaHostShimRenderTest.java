package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Segue plugin (native-shim's LV2 build) inside the Java JNA host, `segue render`, against the
 * daemon process: the host plays the track with a moving transport (time:Position atoms), the plugin
 * auto-fires at the bar asked for, sends the bars before it to the daemon and writes the take as a
 * stem. The stem must be named for that bar and be exactly generate_bars long at the tempo and meter
 * (PROTOCOL.md 4.1); the prime the daemon got must end on the frame where the host put that bar;
 * the render itself is the dry track (monitor 0), sample for sample.
 *
 * <p>400 bpm and one bar keep the take under what the demo prior gives per request (0.74 s).
 * The plugin comes from {@code -Dsegue.shim.lv2=BUNDLE} if given, else native-shim/ is built with its
 * Makefile (./segue test installs what it needs).
 */
class JnaHostShimRenderTest {
    static final int RATE = 48000;

    @TempDir
    Path dir;
    @AutoClose
    private PluginRig rig;

    @ParameterizedTest(name = "{0}/{1} at {2} bpm, fire at bar {3}")
    @CsvSource({"4, 4, 400, 9, 10", "3, 4, 400, 6, 8"})
    void stemLandsAtTheBarWithTheBarsAskedFor(int num, int den, double bpm, int fireBar, int trackBars) throws Exception {
        Path bundle = shimBundle();
        rig = PluginRig.start(dir, "daemon.log");

        double framesPerBar = num * 4.0 / den * 60.0 / bpm * RATE;
        int frames = (int) Math.round(trackBars * framesPerBar);
        Path track = dir.resolve("track.wav");
        float[] dry = stereoTones(frames);
        writeFloatWav(track, dry);
        Path out = dir.resolve("render.wav");
        Path stems = rig.stems;

        List<String> cmd = SeguePart.bridge("render", "--plugin", bundle.toString(), "--in", track.toString(),
                "--out", out.toString(), "--bpm", String.valueOf(bpm), "--time-sig", num + "/" + den,
                "--generate-at-bar", String.valueOf(fireBar), "-p", "capture_bars=2", "-p", "generate_bars=1",
                "-p", "takes=1", "--wait-seconds", "240");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("render.log").toFile());
        pb.environment().putAll(rig.env());
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("segue render did not finish in 300 s:\n" + Files.readString(dir.resolve("render.log")));
        }
        String log = Files.readString(dir.resolve("render.log"));
        String context = "render:\n" + log + "\ndaemon:\n" + Files.readString(dir.resolve("daemon.log"));
        assertEquals(0, p.exitValue(), context);
        assertTrue(log.contains("state=5 (ready)"), context);

        String name = String.format("track_bar%03d_%sbpm_take1.wav", fireBar, bpm == Math.rint(bpm) ? String.valueOf((long) bpm) : String.valueOf(bpm));
        List<String> written;
        try (Stream<Path> s = Files.list(stems)) {
            written = s.map(f -> f.getFileName().toString()).sorted().toList();
        }
        // One stem, named for the bar the take starts at, and its sidecar saying where it belongs.
        assertEquals(List.of(name.replace(".wav", ".segue"), name), written, "one stem and its sidecar");

        ByteBuffer wav = ByteBuffer.wrap(Files.readAllBytes(stems.resolve(name))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("RIFF", new String(wav.array(), 0, 4));
        int channels = wav.getShort(22);
        assertEquals(RATE, wav.getInt(24));
        assertEquals(24, wav.getShort(34));
        long stemFrames = wav.getInt(40) / (3L * channels);
        // PROTOCOL.md 4.1: floor(bars * 240 * num / (den * bpm) * rate + 0.5), here one bar
        long expected = (long) Math.floor(240.0 * num / (den * bpm) * RATE + 0.5);
        assertEquals(expected, stemFrames, "stem length in frames");
        boolean sound = false;
        for (int i = 44; i + 2 < wav.capacity() && !sound; i += 3) {
            sound = wav.get(i) != 0 || wav.get(i + 1) != 0 || wav.get(i + 2) != 0;
        }
        assertTrue(sound, "the stem is silent");

        // Where the prime sat on the timeline, as the daemon recorded the submit: it must end exactly on
        // the frame where the host's transport put bar N (the stem's name alone would not show it: the
        // plugin names the stem after auto_fire_bar, wherever it fired).
        Path jobs = dir.resolve("data/jobs");
        List<Path> records;
        try (Stream<Path> s = Files.walk(jobs)) {
            records = s.filter(f -> f.getFileName().toString().equals("job.json")).toList();
        }
        assertEquals(1, records.size(), "one job: " + records);
        String job = Files.readString(records.get(0));
        long primeStart = jsonNumber(job, "prime_start_sample"), primeFrames = jsonNumber(job, "prime_frames");
        assertEquals(Math.round((fireBar - 1) * framesPerBar), primeStart + primeFrames, "prime end = start of bar " + fireBar + "\n" + job);
        assertEquals(Math.round(2 * framesPerBar), primeFrames, "two bars captured\n" + job);

        // monitor 0: the plugin passes the track through untouched while it works.
        float[] rendered = readFloatWav(out);
        assertEquals(dry.length, rendered.length, "render length");
        for (int i = 0; i < dry.length; i++) {
            assertEquals(dry[i], rendered[i], 1e-6f, "render sample " + i);
        }
    }

    @Test
    void withoutADaemonTheRenderFailsWithinTheConnectLimit() throws Exception {
        Path bundle = shimBundle();
        Path track = dir.resolve("track.wav");
        writeFloatWav(track, stereoTones(RATE));
        String endpoint = FreePort.loopbackEndpoint(); // nothing listens
        List<String> cmd = SeguePart.bridge("render", "--plugin", bundle.toString(), "--in", track.toString(),
                "--out", dir.resolve("render.wav").toString(), "--bpm", "400", "--generate-at-bar", "2", "--connect-seconds", "2");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("render.log").toFile());
        pb.environment().put("SEGUE_ENDPOINT", endpoint);
        pb.environment().put("SEGUE_STEMS_DIR", dir.resolve("stems").toString());
        long t0 = System.nanoTime();
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "segue render did not give up");
        double seconds = (System.nanoTime() - t0) / 1e9;
        String log = Files.readString(dir.resolve("render.log"));
        assertEquals(1, p.exitValue(), log);
        assertTrue(log.contains("not ready") && log.contains(endpoint), log);
        assertTrue(seconds < 30, "took " + seconds + " s to give up");
        assertTrue(!Files.exists(dir.resolve("render.wav")), "no render is written when the plugin never got ready");
    }

    /** The built LV2 bundle: -Dsegue.shim.lv2, else native-shim/ built here with make. */
    static Path shimBundle() throws Exception {
        String given = System.getProperty("segue.shim.lv2");
        if (given != null && !given.isBlank()) {
            Path b = Path.of(given);
            assertTrue(Files.isRegularFile(b.resolve("manifest.ttl")), "-Dsegue.shim.lv2=" + given + " is not a built bundle");
            return b;
        }
        Path dir = SeguePart.ROOT.resolve("native-shim");
        assumeTrue(Files.isRegularFile(dir.resolve("Makefile")), "native-shim/ is not in this checkout (and no -Dsegue.shim.lv2)");
        Path log = Files.createTempFile("segue-shim-build", ".log");
        Process make = new ProcessBuilder("make", "-C", dir.toString(), "-j2", "all").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!make.waitFor(600, TimeUnit.SECONDS)) {
            make.destroyForcibly();
            throw new AssertionError("make -C native-shim did not finish in 600 s");
        }
        String out = Files.readString(log);
        Files.deleteIfExists(log);
        assertEquals(0, make.exitValue(), "make -C native-shim all failed:\n" + out);
        return dir.resolve("build/bin/segue-shim.lv2");
    }

    private static long jsonNumber(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\"\\s*:\\s*\"?(\\d+)").matcher(json);
        assertTrue(m.find(), key + " not in " + json);
        return Long.parseLong(m.group(1));
    }

    static float[] stereoTones(int frames) {
        float[] s = new float[frames * 2];
        for (int i = 0; i < frames; i++) {
            double t = i / (double) RATE, swell = 0.5 + 0.5 * Math.sin(2 * Math.PI * 2 * t);
            s[2 * i] = (float) (0.4 * swell * Math.sin(2 * Math.PI * 220 * t));
            s[2 * i + 1] = (float) (0.4 * swell * Math.sin(2 * Math.PI * 330 * t));
        }
        return s;
    }

    static void writeFloatWav(Path file, float[] interleavedStereo) throws IOException {
        WavWriter.writeFloat32(file, new PcmAudio(RATE, 2, interleavedStereo));
    }

    /** Reads the float WAV `segue render` writes (canonical 44-byte header, format 3). */
    static float[] readFloatWav(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, b.getShort(20), "IEEE float");
        assertEquals(32, b.getShort(34));
        int bytes = b.getInt(40);
        float[] s = new float[bytes / 4];
        for (int i = 0; i < s.length; i++) {
            s[i] = b.getFloat(44 + 4 * i);
        }
        return s;
    }
}
