package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The plugin in headless Ardour at a producer's settings, the way a producer works with it:
 * <ol>
 *   <li>a 12-bar session: a stereo slice of real music (Debian's wesnoth-1.16-music) on one track, the plugin
 *       on it with auto_fire_bar=5, capture_bars=4, generate_bars=8, takes=1, monitor dry; Ardour plays it in
 *       real time until the plugin says "ready" (state 5), then saves the session (with the plugin's job);</li>
 *   <li>monitor set to "take" (and auto-fire off) in the saved session, which is exported: the audio before bar 5
 *       is the dry clip, untouched; from bar 5 on it is the take's stem, sample-aligned (cross-correlation peaks at
 *       lag 0, and the samples are equal);</li>
 *   <li>the session range moved to start at bar 7 and exported again (the plugin sees playback start
 *       mid-take, a relocate): the output is the stem from its bar-7 sample on.</li>
 * </ol>
 */
final class ProducerSession {
    static final int FIRE_BAR = 5, CAPTURE_BARS = 4, GENERATE_BARS = 8, SESSION_BARS = FIRE_BAR - 1 + GENERATE_BARS;
    /** Lags searched on either side of 0 by the cross-correlation. */
    static final int MAX_LAG = 256;

    /** One session setting: format, sample rate, tempo (quarter notes per minute) and meter (N/4). */
    record Setting(String format, int rate, int bpm, int beatsPerBar) {
        int barFrames() {
            return Math.toIntExact(Math.round(rate * 60.0 * beatsPerBar / bpm));
        }

        @Override
        public String toString() {
            return format + " " + rate + " Hz " + bpm + " bpm " + beatsPerBar + "/4";
        }
    }

    private ProducerSession() {}

    static void run(PluginRig rig, Setting s, Path dir) throws Exception {
        Files.createDirectories(dir);
        int bar = s.barFrames();
        Path clip = ArdourHost.clip(dir, s.rate(), 20, SESSION_BARS * bar / (double) s.rate());
        Path stems = dir.resolve("stems");
        Map<String, String> env = rig.env("SEGUE_STEMS_DIR", stems.toString());
        Path work = dir.resolve("work");
        List<String> meter = List.of("--meter", s.beatsPerBar() + "/4");

        // 1. fire at bar 5 in real time, wait for the take, save the session.
        ArdourHost.Render played = ArdourHost.render(work, dir.resolve("unused.wav"), s.format(), clip, s.bpm(), env,
                List.of("auto_fire_bar=" + FIRE_BAR, "capture_bars=" + CAPTURE_BARS, "generate_bars=" + GENERATE_BARS,
                        "takes=1", "monitor=0"),
                concat(meter, List.of("--watch", "state", "--stop-file", dir.resolve("stop").toString(),
                        "--watch-seconds", "400", "--save-when", "5")));
        assertEquals(0, played.exitCode(), played.output());
        assertTrue(played.output().contains("watch: saved"), "the plugin never said ready (5):\n" + played.output());
        String name = String.format("track_bar%03d_%dbpm_take1.wav", FIRE_BAR, s.bpm());
        Path stemFile = stems.resolve(name);
        assertTrue(Files.isRegularFile(stemFile), "no stem " + name + " in " + stems + ":\n" + played.output());
        WavFile stem = WavFile.read(stemFile);
        assertEquals(s.rate(), stem.rate(), "stem rate");
        assertEquals(GENERATE_BARS * bar, stem.frames(), "stem length: " + GENERATE_BARS + " bars");
        assertTrue(ArdourHost.rms(stem) > 1e-4, "the take is silent");

        // 2. monitor the take: export the whole session.
        ArdourHost.Render take = ArdourHost.render(work, dir.resolve("take.wav"), s.format(), clip, s.bpm(), env,
                List.of("monitor=1", "auto_fire_bar=0"), concat(meter, List.of("--reuse")));
        assertEquals(0, take.exitCode(), take.output());
        WavFile dry = WavFile.read(clip);
        WavFile out = WavFile.read(take.file());
        assertEquals(dry.frames(), out.frames(), "render length");
        int fire = (FIRE_BAR - 1) * bar;
        double before = ArdourHost.maxDifference(out, dry, 0, fire);
        assertTrue(before < 1e-6, "the audio before bar " + FIRE_BAR + " is not the dry clip: off by " + before);
        assertEquals(0, bestLag(out, fire, stem, 0), "the take is not sample-aligned with its bar");
        double diff = maxDifference(out, fire, stem, 0, out.frames() - fire);
        assertTrue(diff < 1e-6, "from bar " + FIRE_BAR + " the render is not the take: off by " + diff);

        // 3. a relocate: playback starts at bar 7, in the middle of the take.
        int relocated = fire + 2 * bar;
        ArdourHost.setSessionStart(work, relocated);
        ArdourHost.Render later = ArdourHost.render(work, dir.resolve("relocated.wav"), s.format(), clip, s.bpm(), env,
                List.of(), concat(meter, List.of("--reuse")));
        assertEquals(0, later.exitCode(), later.output());
        WavFile mid = WavFile.read(later.file());
        assertEquals(dry.frames() - relocated, mid.frames(), "render length from bar 7");
        assertEquals(0, bestLag(mid, 0, stem, 2 * bar), "after the relocate the take is out of sync");
        double midDiff = maxDifference(mid, 0, stem, 2 * bar, mid.frames());
        assertTrue(midDiff < 1e-6, "after the relocate the render is not the take from bar 7: off by " + midDiff);
    }

    /**
     * The lag (in -MAX_LAG..MAX_LAG) at which the render, from {@code at}, best matches the stem from
     * {@code stemAt}: normalised cross-correlation of the channel sums over one second.
     */
    static int bestLag(WavFile render, int at, WavFile stem, int stemAt) {
        int n = Math.min(render.rate(), Math.min(render.frames() - at - MAX_LAG, stem.frames() - stemAt - MAX_LAG));
        double[] a = mono(render, at - MAX_LAG, n + 2 * MAX_LAG);
        double[] b = mono(stem, stemAt, n);
        int best = Integer.MIN_VALUE;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int lag = -MAX_LAG; lag <= MAX_LAG; lag++) {
            double dot = 0, ea = 0, eb = 0;
            for (int i = 0; i < n; i++) {
                double x = a[i + MAX_LAG + lag];
                dot += x * b[i];
                ea += x * x;
                eb += b[i] * b[i];
            }
            double score = dot / Math.sqrt(Math.max(ea * eb, 1e-30));
            if (score > bestScore) {
                bestScore = score;
                best = lag;
            }
        }
        return best;
    }

    private static double[] mono(WavFile w, int from, int n) {
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
            int f = from + i;
            if (f < 0 || f >= w.frames()) {
                continue;
            }
            for (float[] ch : w.samples()) {
                m[i] += ch[f];
            }
        }
        return m;
    }

    /** Largest difference between render[at + i] and stem[stemAt + i] for i < n; a mono stem plays on both sides. */
    static double maxDifference(WavFile render, int at, WavFile stem, int stemAt, int n) {
        double max = 0;
        for (int c = 0; c < render.channels(); c++) {
            float[] r = render.samples()[c];
            float[] t = stem.samples()[Math.min(c, stem.channels() - 1)];
            for (int i = 0; i < n; i++) {
                max = Math.max(max, Math.abs(r[at + i] - t[stemAt + i]));
            }
        }
        return max;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
