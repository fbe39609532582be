package dev.segue.engine.sampling;

import dev.segue.engine.monitor.Monitor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.testing.ReferenceFixture;
import dev.segue.engine.vqvae.VqVae;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The continuation pipeline on the fixture models (random weights: noise, but the plumbing is exact):
 * lengths, windows beyond the context, every tier, seeds, previews, and clear refusals.
 */
class ContinuationPipelineTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.jukebox();
    private static NDManager root;
    private static VqVae vqvae;
    private static final Map<Integer, Prior> PRIORS = new java.util.TreeMap<>();
    private static ContinuationPipeline pipeline;

    @BeforeAll
    static void load() {
        root = fixture.root();
        ModelConfig config = fixture.config();
        try (SafetensorsFile v = fixture.weights("vqvae.safetensors")) {
            vqvae = new VqVae(config.vqvae(), v, root);
        }
        for (int level = 0; level < 3; level++) {
            try (SafetensorsFile p = fixture.weights("prior_level_" + level + ".safetensors")) {
                PRIORS.put(level, new Prior(config.priors().get(level), config.vqvae(), p, root));
            }
        }
        pipeline = new ContinuationPipeline(vqvae, PRIORS);
    }

    @AfterAll
    static void close() {
        PRIORS.values().forEach(Prior::close);
        vqvae.close();
    }

    private static float[] prime(int length) {
        float[] x = new float[length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.05) * 0.3f;
        }
        return x;
    }

    private static ContinuationPipeline.Request request(int candidates, Tier tier, long seed) {
        return request(candidates, tier, seed, 1.0);
    }

    /** The fixture's config as a JSON tree, to change a key of before reading it. */
    private static com.fasterxml.jackson.databind.node.ObjectNode fixtureTree() throws java.io.IOException {
        return (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(fixture.dir().resolve("config.json").toFile());
    }

    /** The random-weight fixture priors are very peaked; a high temperature makes seeds tell apart. */
    private static ContinuationPipeline.Request request(int candidates, Tier tier, long seed, double temperature) {
        List<SamplingParams> levels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            levels.add(new SamplingParams(temperature, 0, 0.0, seed));
        }
        return new ContinuationPipeline.Request(candidates, tier, levels, true, true);
    }

    private record Chunk(int candidate, long offset, int length) {}

    @Test
    void sketchTakesHaveExactlyTheAskedLengthAndPreviewsStreamInOrder() {
        long frames = 12_345; // not a multiple of the 128-sample hop
        List<Chunk> previews = new ArrayList<>();
        float[][] takes = pipeline.continueAudio(root, prime(20_000), frames, request(3, Tier.SKETCH, 9),
                new Monitor() {
                    @Override
                    public void preview(int c, long offset, float[] audio) {
                        previews.add(new Chunk(c, offset, audio.length));
                    }
                });
        assertEquals(3, takes.length);
        for (float[] take : takes) {
            assertEquals(frames, take.length);
        }
        assertTrue(previews.size() >= 3, "previews: " + previews);
        for (int c = 0; c < 3; c++) {
            long expected = 0;
            for (Chunk p : previews) {
                if (p.candidate() == c) {
                    assertEquals(expected, p.offset(), "candidate " + c + " previews are contiguous");
                    expected += p.length();
                }
            }
            assertTrue(expected > 0 && expected <= frames, "candidate " + c + " previewed " + expected);
        }
    }

    @Test
    void windowsGoBeyondTheContextAndSeedsReproduceEachCandidate() {
        // One top window holds 256 tokens * 128 samples = 32768 samples; ask for well over one.
        long frames = 36_000; // the prime's 39 tokens + 282 new ones: a first window and three more
        float[] prime = prime(5_000);
        List<long[]> progress = new ArrayList<>();
        float[][] two = pipeline.continueAudio(root, prime, frames, request(2, Tier.SKETCH, 100, 4.0),
                new Monitor() {
                    @Override
                    public void progress(int level, long done, long total) {
                        progress.add(new long[] {level, done, total});
                    }
                });
        assertEquals(frames, two[0].length);
        assertEquals(frames, two[1].length);
        assertFalse(Arrays.equals(two[0], two[1]), "two candidates differ");
        long[] last = progress.get(progress.size() - 1);
        assertEquals(2, last[0]);
        assertEquals(last[2], last[1], "progress reaches its total");
        assertEquals((frames + 127) / 128, last[2], "total = new top-level tokens");
        // Candidate 1 of seed 100 is candidate 0 of seed 101, across every window.
        float[][] alone = pipeline.continueAudio(root, prime, frames, request(1, Tier.SKETCH, 101, 4.0),
                new Monitor() {});
        assertArrayEquals(two[1], alone[0]);
        float[][] again = pipeline.continueAudio(root, prime, frames, request(1, Tier.SKETCH, 100, 4.0),
                new Monitor() {});
        assertArrayEquals(two[0], again[0], "the same seed gives the same take");
    }

    @Test
    void withBarChromaTheTopPriorHearsThePrimesBarsAndAnExtensionKeepsThem() throws Exception {
        var tree = fixtureTree();
        var top = (com.fasterxml.jackson.databind.node.ObjectNode) tree.path("priors").path("2");
        top.put("beat_clock", true);
        ModelConfig plainConfig = ModelConfig.fromJson(tree, "fixture with a beat clock");
        top.put("bar_chroma", true);
        ModelConfig barConfig = ModelConfig.fromJson(tree, "fixture with a beat clock and bar chroma");
        top.put("beat_clock", false);
        var refused = assertThrows(dev.segue.engine.config.ConfigException.class,
                () -> ModelConfig.fromJson(tree, "bar chroma without a clock"));
        assertTrue(refused.getMessage().contains("bar_chroma"), refused.getMessage());
        var weights = new dev.segue.engine.checkpoint.RandomWeights(11, 0.3);
        try (Prior plain = new Prior(plainConfig.priors().get(2), plainConfig.vqvae(), weights, root);
             Prior barred = new Prior(barConfig.priors().get(2), barConfig.vqvae(),
                     new dev.segue.engine.checkpoint.RandomWeights(11, 0.3), root)) {
            int sr = vqvae.config().sampleRate();
            // Four bars of 1/4 at 400 BPM (0.15 s each), each bar one pitch: A, C, E, G.
            double[] hz = {440, 523.25, 659.26, 783.99};
            int bar = (int) Math.round(0.15 * sr);
            float[] prime = new float[4 * bar];
            for (int i = 0; i < prime.length; i++) {
                prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * hz[i / bar] * i / sr));
            }
            PrimeTraits.Grid grid = PrimeTraits.Grid.ofBars(400, 1, 4, 0);
            long frames = 20_000;
            ContinuationPipeline.Sampled a = new ContinuationPipeline(vqvae, Map.of(2, barred)).continueWithCodes(root,
                    prime, frames, request(1, Tier.SKETCH, 100, 4.0), grid, new Monitor() {});
            assertNotNull(a.traits().barCycle(), "four bars of the prime make a cycle");
            assertTrue(a.traits().barCycle().length >= 2, "a cycle of " + a.traits().barCycle().length);
            ContinuationPipeline.Sampled b = new ContinuationPipeline(vqvae, Map.of(2, plain)).continueWithCodes(root,
                    prime, frames, request(1, Tier.SKETCH, 100, 4.0), grid, new Monitor() {});
            assertNull(b.traits().barCycle(), "without bar_chroma one chroma is heard");
            assertFalse(Arrays.equals(a.takes()[0], b.takes()[0]), "the prior hears the bars' chroma");
            ContinuationPipeline.Sampled longer = new ContinuationPipeline(vqvae, Map.of(2, barred)).extend(root,
                    Map.of(2, a.codes().get(2)[0]), a.primeTopTokens(), frames, 9_000, a.traits(),
                    request(1, Tier.SKETCH, 100, 4.0), new Monitor() {});
            assertArrayEquals(a.traits().barCycle(), longer.traits().barCycle(), "an extension hears the same bars");
        }
    }

    @Test
    void aBeatClockedTopPriorHearsItsPrimesTraitsInEveryWindowAndKeepsThem() throws Exception {
        var tree = fixtureTree();
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.path("priors").path("2")).put("beat_clock", true);
        ModelConfig clockedConfig = ModelConfig.fromJson(tree, "fixture with a beat clock");
        try (Prior clocked = new Prior(clockedConfig.priors().get(2), clockedConfig.vqvae(),
                new dev.segue.engine.checkpoint.RandomWeights(11, 0.3), root)) {
            ContinuationPipeline withClock = new ContinuationPipeline(vqvae, Map.of(2, clocked));
            long frames = 36_000; // a first window and three more
            float[] prime = prime(5_000);
            ContinuationPipeline.Sampled a = withClock.continueWithCodes(root, prime, frames,
                    request(1, Tier.SKETCH, 100, 4.0), new Monitor() {});
            int hop = 128;
            float[] aligned = Arrays.copyOfRange(prime, prime.length - prime.length / hop * hop, prime.length);
            PrimeTraits expected = PrimeTraits.measure(aligned, vqvae.config().sampleRate());
            assertArrayEquals(expected.chroma(), a.traits().chroma(), 1e-12, "traits measured on the prime's window part");
            assertEquals(frames, a.takes()[0].length);
            ContinuationPipeline.Sampled again = withClock.continueWithCodes(root, prime, frames,
                    request(1, Tier.SKETCH, 100, 4.0), new Monitor() {});
            assertArrayEquals(a.takes()[0], again.takes()[0], "the same prime and seed give the same take");
            // Another pitch with the same codes' worth of audio: the prior hears it, so the take changes.
            float[] other = new float[prime.length];
            for (int i = 0; i < other.length; i++) {
                other[i] = (float) Math.sin(i * 0.11) * 0.3f;
            }
            ContinuationPipeline.Sampled b = withClock.continueWithCodes(root, other, frames,
                    request(1, Tier.SKETCH, 100, 4.0), new Monitor() {});
            assertFalse(Arrays.equals(a.takes()[0], b.takes()[0]), "another prime, another take");
            Map<Integer, long[]> codes = Map.of(2, a.codes().get(2)[0]);
            ContinuationPipeline.Sampled longer = withClock.extend(root, codes, a.primeTopTokens(), frames, 9_000,
                    a.traits(), request(1, Tier.SKETCH, 100, 4.0), new Monitor() {});
            assertEquals(frames + 9_000, longer.takes()[0].length);
            assertEquals(a.traits(), longer.traits(), "an extension goes on with the take's own traits");
            // The DAW's grid (93 BPM 4/4, the prime from bar 2.5) is the clock instead of the estimate.
            PrimeTraits.Grid grid = PrimeTraits.Grid.ofBars(93, 4, 4, 2.5);
            ContinuationPipeline.Sampled onGrid = withClock.continueWithCodes(root, prime, frames,
                    request(1, Tier.SKETCH, 100, 4.0), grid, new Monitor() {});
            int sr = vqvae.config().sampleRate();
            double cut = (double) (prime.length - aligned.length) / sr;
            assertEquals(93, onGrid.traits().bpm(), 1e-12);
            double seamBar = 2.5 + (double) prime.length / sr / (240.0 * 4 / (4 * 93));
            double phase = onGrid.traits().barPhaseAt((double) prime.length / sr - cut);
            double d = Math.abs(phase - (seamBar - Math.floor(seamBar)));
            assertTrue(Math.min(d, 1 - d) < 1e-6, "the clock's bar at the seam is the DAW's: " + phase + " vs " + seamBar);
            assertArrayEquals(expected.chroma(), onGrid.traits().chroma(), 1e-12, "the chroma is still measured");
            assertFalse(Arrays.equals(a.takes()[0], onGrid.takes()[0]), "the prior hears the grid");
            assertThrows(IllegalArgumentException.class, () -> new WindowedSampler(clocked, 0.125, WindowCache.SHIFT)
                    .sample(root, new long[][] {{1, 2, 3}}, 1, 10, null, (List<dev.segue.engine.prior.LabelRow>) null,
                            new SamplingParams(1.0, 0, 0.0, 1), new Monitor() {
                                @Override
                                public void progress(int level, long done, long total) {}

                                @Override
                                public boolean cancelled() {
                                    return false;
                                }
                            }), "a beat-clocked prior needs traits");
        }
    }

    @Test
    void aPriorWithAFixedBeatHearsThePrimeAtItsTempoAndGivesTakesAtTheSongs() throws Exception {
        var tree = fixtureTree();
        var top = (com.fasterxml.jackson.databind.node.ObjectNode) tree.path("priors").path("2");
        top.put("beat_codes", 128); // 128 codes of 128 samples at 44.1 kHz: 161.5 BPM
        assertThrows(dev.segue.engine.config.ConfigException.class, () -> ModelConfig.fromJson(tree, "no clock"),
                "a fixed beat is heard through the beat clock");
        top.put("beat_clock", true);
        top.put("beat_codes", 129);
        assertThrows(dev.segue.engine.config.ConfigException.class, () -> ModelConfig.fromJson(tree, "long beat"),
                "a beat longer than half the context");
        top.put("beat_codes", 128);
        ModelConfig config = ModelConfig.fromJson(tree, "fixture with a fixed beat");
        try (Prior fixed = new Prior(config.priors().get(2), config.vqvae(),
                new dev.segue.engine.checkpoint.RandomWeights(11, 0.3), root)) {
            ContinuationPipeline warped = new ContinuationPipeline(vqvae, Map.of(2, fixed));
            int sr = vqvae.config().sampleRate();
            assertEquals(60.0 * sr / (128 * 128), warped.modelBpm(), 1e-9);
            long frames = 30_001;
            float[] prime = prime(20_000);
            PrimeTraits.Grid grid = PrimeTraits.Grid.ofBars(93, 4, 4, 2.5); // heard as 186 BPM eighths
            List<Chunk> previews = new ArrayList<>();
            ContinuationPipeline.Sampled a = warped.continueWithCodes(root, prime, frames,
                    request(2, Tier.SKETCH, 100, 4.0), grid, new Monitor() {
                        @Override
                        public void preview(int c, long offset, float[] audio) {
                            previews.add(new Chunk(c, offset, audio.length));
                        }
                    });
            assertEquals(186 / warped.modelBpm(), a.warp().ratio(), 1e-12);
            double octaves = Math.log(a.traits().bpm() / warped.modelBpm()) / Math.log(2); // the clock's 80..160 fold
            assertEquals(Math.rint(octaves), octaves, 1e-9, "the clock runs at the prior's tempo: " + a.traits().bpm());
            for (float[] take : a.takes()) {
                assertEquals(frames, take.length, "takes come back at the song's tempo, exactly as long as asked");
            }
            // The prime was heard stretched: its codes are the stretched prime's, cut to whole hops at its end.
            int heardPrime = (int) Math.round(prime.length * a.warp().ratio());
            assertEquals(heardPrime / 128, a.primeTopTokens());
            assertEquals(heardPrime / 128 + (a.warp().modelFrames(frames) + 127) / 128, a.codes().get(2)[0].length);
            // The clock's bar at the heard prime's end is the DAW's bar at the real prime's end.
            double cut = (double) (heardPrime - heardPrime / 128 * 128) / sr;
            double seamBar = 2.5 + (double) prime.length / sr * 93 / 60 / 4;
            double phase = a.traits().barPhaseAt((double) heardPrime / sr - cut);
            double d = Math.abs(phase - (seamBar - Math.floor(seamBar)));
            assertTrue(Math.min(d, 1 - d) < 1e-3, "the clock's bar at the seam is the DAW's: " + phase + " vs " + seamBar);
            for (int c = 0; c < 2; c++) {
                long expected = 0;
                for (Chunk p : previews) {
                    if (p.candidate() == c) {
                        assertEquals(expected, p.offset(), "candidate " + c + " previews are contiguous at the song's tempo");
                        expected += p.length();
                    }
                }
                assertTrue(expected > 0 && expected <= frames + 1, "candidate " + c + " previewed " + expected);
            }
            // An extension goes on at the prior's tempo and returns the whole take at the song's.
            ContinuationPipeline.Sampled longer = warped.extend(root, Map.of(2, a.codes().get(2)[0]), a.primeTopTokens(),
                    frames, 9_000, a.traits(), a.warp(), request(1, Tier.SKETCH, 100, 4.0), new Monitor() {});
            assertEquals(frames + 9_000, longer.takes()[0].length);
            assertEquals(a.warp(), longer.warp());
            long[] before = a.codes().get(2)[0];
            assertArrayEquals(before, Arrays.copyOf(longer.codes().get(2)[0], before.length), "the take's codes are kept");
            // The prior heard the grid: the same prime with another tempo is another take.
            ContinuationPipeline.Sampled other = warped.continueWithCodes(root, prime, frames,
                    request(2, Tier.SKETCH, 100, 4.0), PrimeTraits.Grid.ofBars(131, 4, 4, 2.5), new Monitor() {});
            assertFalse(Arrays.equals(a.codes().get(2)[0], other.codes().get(2)[0]), "another tempo, another hearing");
            // Without a DAW the prime's measured tempo is the song's: clicks at 100 BPM are heard as 200 BPM eighths.
            float[] clicks = new float[7 * sr];
            for (int beat = 0; beat * 0.6 * sr < clicks.length; beat++) {
                int at = (int) Math.round(beat * 0.6 * sr);
                for (int i = 0; i < 400 && at + i < clicks.length; i++) {
                    clicks[at + i] = (float) (0.8 * Math.exp(-i / 60.0) * Math.sin(i * 0.9));
                }
            }
            ContinuationPipeline.Sampled measured = warped.continueWithCodes(root, clicks, 2_000,
                    request(1, Tier.SKETCH, 100, 4.0), null, new Monitor() {});
            assertEquals(2_000, measured.takes()[0].length);
            assertTrue(measured.warp() != null && Math.abs(measured.warp().bpm() / 100 - Math.rint(measured.warp().bpm() / 100)) < 0.03,
                    "the measured tempo is the clicks' (or an octave of it): " + measured.warp());
            // A prime too short for a tempo is heard as it is.
            assertEquals(null, warped.continueWithCodes(root, prime(2_000), 500, request(1, Tier.SKETCH, 1, 4.0), null,
                    new Monitor() {}).warp());
        }
    }

    @Test
    void draftAndFullTiersUpsampleToExactLengths() {
        long frames = 3_000;
        List<Integer> levels = new ArrayList<>();
        Monitor monitor = new Monitor() {
            @Override
            public void progress(int level, long done, long total) {
                if (!levels.contains(level)) {
                    levels.add(level);
                }
            }
        };
        float[][] draft = pipeline.continueAudio(root, prime(5_000), frames, request(2, Tier.DRAFT, 3), monitor);
        assertEquals(List.of(2, 1), levels, "draft samples the top, then level 1");
        assertEquals(frames, draft[0].length);
        levels.clear();
        float[][] full = pipeline.continueAudio(root, prime(5_000), frames, request(1, Tier.FULL, 3), monitor);
        assertEquals(List.of(2, 1, 0), levels, "full samples every level");
        assertEquals(frames, full[0].length);
        for (float v : full[0]) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void badRequestsAreRefusedClearly() {
        IllegalArgumentException shortPrime = assertThrows(IllegalArgumentException.class,
                () -> pipeline.continueAudio(root, new float[100], 1000, request(1, Tier.SKETCH, 1),
                        new Monitor() {}));
        assertTrue(shortPrime.getMessage().contains("shorter than one top-level hop"), shortPrime.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pipeline.continueAudio(root, prime(5_000), 0,
                request(1, Tier.SKETCH, 1), new Monitor() {}));
        ContinuationPipeline topOnly = new ContinuationPipeline(vqvae, Map.of(2, PRIORS.get(2)));
        assertFalse(topOnly.supports(Tier.DRAFT));
        assertEquals(1, topOnly.levels());
        IllegalArgumentException noUpsampler = assertThrows(IllegalArgumentException.class,
                () -> topOnly.continueAudio(root, prime(5_000), 1000, request(1, Tier.FULL, 1),
                        new Monitor() {}));
        assertTrue(noUpsampler.getMessage().contains("tier full needs"), noUpsampler.getMessage());
    }

    @Test
    void cancelStopsBetweenTokens() {
        int[] calls = {0};
        assertThrows(CancelledException.class, () -> pipeline.continueAudio(root, prime(5_000), 20_000,
                request(2, Tier.SKETCH, 1), new Monitor() {
                    @Override
                    public boolean cancelled() {
                        return ++calls[0] > 20;
                    }
                }));
    }
}
