package dev.segue.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.prior.KvCache;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.vqvae.VqVae;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few training steps on tiny models and a tiny corpus: the losses go down, the state resumes where it
 * stopped, and the exported files load into the inference classes, which then run the trained weights.
 */
class TrainerTest {
    private static final String TINY = """
            {"vqvae": {"levels": 3, "downs_t": [3, 2, 2], "strides_t": [2, 2, 2], "hvqvae_multipliers": [1, 1, 1],
                       "emb_width": 16, "l_bins": 64, "depth": 1, "width": 16, "dilation_growth_rate": 3, "sr": 8000},
             "priors": {"2": {"level": 2, "n_ctx": 64, "prior_width": 32, "prior_depth": 3, "heads": 2,
                              "attn_order": 2, "blocks": 4, "labels": false, "sr": 8000},
                        "1": {"level": 1, "n_ctx": 64, "prior_width": 32, "prior_depth": 2, "heads": 2,
                              "attn_order": 2, "blocks": 4, "labels": false, "cond_depth": 1, "cond_width": 16,
                              "cond_dilation_growth_rate": 3, "cond_dilation_cycle": 8, "sr": 8000}}}
            """;
    private static NDManager root;
    private static ModelConfig config;
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @BeforeAll
    static void setUp() throws IOException {
        root = Djl.cpuManager();
        config = ModelConfig.fromJson(new ObjectMapper().readTree(TINY), "tiny");
    }

    @AfterAll
    static void tearDown() {
        root.close();
    }

    @Test
    void vqvaeLossGoesDownAndTheExportLoads(@TempDir Path out) throws IOException {
        List<float[]> songs = SyntheticSongs.generate(3, 2, 4.0, 8000);
        StageOptions o = new StageOptions(out, 24, 2, 3e-3, 5, 100, 1, true, 0, 0);
        new VqVaeTrainer(config.vqvae(), 2, songs, o, QUIET).run(root);
        List<JsonNode> rows = metrics(out, "vqvae");
        assertEquals(24, rows.size());
        double first = mean(rows.subList(0, 4), "loss");
        double last = mean(rows.subList(20, 24), "loss");
        assertTrue(last < 0.8 * first, "VQ-VAE loss " + first + " -> " + last);
        assertTrue(rows.get(23).get("codes_used").asDouble() > 1, "more than one code in use");
        try (WeightStore w = Checkpoints.open(out.resolve("vqvae.safetensors"));
             NDManager m = root.newSubManager();
             VqVae vqvae = new VqVae(config.vqvae(), w, m)) {
            NDArray audio = m.create(java.util.Arrays.copyOf(songs.get(0), 8192), new Shape(1, 8192));
            NDArray codes = vqvae.encode(audio, 2);
            assertEquals(64, codes.size());
            assertEquals(8192, vqvae.decode(codes, 2).size());
        }
    }

    @Test
    void aLowerLevelTrainsFromExportedWeightsAndEveryOtherLevelStaysExactlyAsItWas(@TempDir Path out)
            throws IOException {
        List<float[]> songs = SyntheticSongs.generate(3, 2, 4.0, 8000);
        Path top = Files.createDirectories(out.resolve("top"));
        new VqVaeTrainer(config.vqvae(), 2, songs, new StageOptions(top, 6, 2, 3e-3, 5, 100, 1, true, 0, 0), QUIET)
                .run(root);
        Path lower = Files.createDirectories(out.resolve("lower"));
        new VqVaeTrainer(config.vqvae(), 1, songs, new StageOptions(lower, 6, 2, 3e-3, 5, 100, 1, true, 0, 0), QUIET)
                .startingFrom(top.resolve("vqvae.safetensors")).run(root);
        int changed = changedTensors(top, lower, name -> name.startsWith("encoders.1.")
                || name.startsWith("decoders.1.") || name.equals("bottleneck.level_blocks.1.k"));
        assertTrue(changed > 10, "level 1's weights trained: " + changed + " tensors changed");
        // So the level-2 codes a prior was trained on are the codes the new file gives, and they sound the same.
        assertTrue(decodedAlike(top, lower, songs.get(1), 2), "level 2's decoder is untouched");
    }

    @Test
    void aDecoderTrainedAloneKeepsTheCodesAndEveryOtherWeight(@TempDir Path out) throws IOException {
        List<float[]> songs = SyntheticSongs.generate(3, 2, 4.0, 8000);
        Path top = Files.createDirectories(out.resolve("top"));
        new VqVaeTrainer(config.vqvae(), 2, songs, new StageOptions(top, 6, 2, 3e-3, 5, 100, 1, true, 0, 0), QUIET)
                .run(root);
        Path decoder = Files.createDirectories(out.resolve("decoder"));
        StageOptions o = new StageOptions(decoder, 6, 2, 3e-3, 5, 100, 1, true, 0, 0);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new VqVaeTrainer(config.vqvae(), 2, songs, o, QUIET).decoderOnly(true).run(root));
        assertTrue(refused.getMessage().contains("--init-vqvae"), refused.getMessage());
        new VqVaeTrainer(config.vqvae(), 2, songs, o, QUIET).startingFrom(top.resolve("vqvae.safetensors"))
                .decoderOnly(true).withLogSpectral(1).run(root);
        int changed = changedTensors(top, decoder, name -> name.startsWith("decoders.2."));
        assertTrue(changed > 5, "level 2's decoder trained: " + changed + " tensors changed");
        List<JsonNode> rows = metrics(decoder, "vqvae");
        assertTrue(rows.get(5).has("log_spectral"), "the log term is logged");
        // Its state holds no optimizer moments for the encoder: resuming it as a whole-level run is refused by name.
        StageOptions more = new StageOptions(decoder, 8, 2, 3e-3, 5, 100, 1, false, 0, 0);
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
                () -> new VqVaeTrainer(config.vqvae(), 2, songs, more, QUIET).run(root));
        assertTrue(mixed.getMessage().contains("--vqvae-decoder-only"), mixed.getMessage());
        // The codes a prior was trained on are the codes the new file gives; what they decode to is not.
        assertTrue(!decodedAlike(top, decoder, songs.get(1), 2), "the new decoder renders the codes differently");
    }

    /**
     * Asserts that every tensor {@code trained} rejects is the same in the VQ-VAE files of both folders; returns how
     * many of those it accepts changed.
     */
    private static int changedTensors(Path before, Path after, java.util.function.Predicate<String> trained)
            throws IOException {
        int changed = 0;
        try (SafetensorsFile a = SafetensorsFile.open(before.resolve("vqvae.safetensors"));
             SafetensorsFile b = SafetensorsFile.open(after.resolve("vqvae.safetensors"))) {
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                boolean same = java.util.Arrays.equals(a.get(name).toFloats(), b.get(name).toFloats());
                if (!trained.test(name)) {
                    assertTrue(same, name + " changed, though it was not trained");
                } else if (!same) {
                    changed++;
                }
            }
        }
        return changed;
    }

    /**
     * Asserts that the VQ-VAE files of both folders give {@code song}'s first 8192 samples the same codes at
     * {@code level}; returns whether they also decode those codes to the same audio.
     */
    private static boolean decodedAlike(Path first, Path second, float[] song, int level) throws IOException {
        try (WeightStore wa = Checkpoints.open(first.resolve("vqvae.safetensors"));
             WeightStore wb = Checkpoints.open(second.resolve("vqvae.safetensors"));
             NDManager m = root.newSubManager();
             VqVae a = new VqVae(config.vqvae(), wa, m);
             VqVae b = new VqVae(config.vqvae(), wb, m)) {
            NDArray audio = m.create(java.util.Arrays.copyOf(song, 8192), new Shape(1, 8192));
            NDArray codes = a.encode(audio, level);
            org.junit.jupiter.api.Assertions.assertArrayEquals(codes.toLongArray(), b.encode(audio, level).toLongArray());
            return java.util.Arrays.equals(a.decode(codes, level).toFloatArray(), b.decode(codes, level).toFloatArray());
        }
    }

    @Test
    void anUpsamplerLearnsFromTheCodesOfTheLevelAboveAndIsScoredWithThem(@TempDir Path out) throws IOException {
        // Each upper code is repeated four times below it: the first code of every group of four can only come
        // from the level above (a prior without it pays ln 64 nats there, a quarter of all positions).
        Random r = new Random(11);
        List<long[]> upper = new ArrayList<>();
        List<long[]> lower = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long[] u = new long[100];
            long[] l = new long[400];
            for (int i = 0; i < u.length; i++) {
                u[i] = r.nextInt(64);
            }
            for (int i = 0; i < l.length; i++) {
                l[i] = u[i / 4];
            }
            upper.add(u);
            lower.add(l);
        }
        new PriorTrainer(config.priors().get(1), config.vqvae(), lower, 64,
                new StageOptions(out, 80, 4, 1e-2, 3, 100, 1, true, 0, 0), QUIET)
                .conditionedOn(upper).run(root);
        List<JsonNode> rows = metrics(out, "prior");
        double end = mean(rows.subList(70, 80), "loss");
        assertTrue(end < 0.5, "an upsampler told the level above predicts the group heads too: " + end + " nats "
                + "(about 1.04 without it)");
        List<long[]> shifted = new ArrayList<>(upper.subList(1, 4));
        shifted.add(upper.get(0));
        try (WeightStore w = Checkpoints.open(out.resolve("prior_level_1.safetensors"));
             NDManager m = root.newSubManager();
             Prior prior = new Prior(config.priors().get(1), config.vqvae(), w, m)) {
            double told = PriorEvaluation.crossEntropy(m, prior, lower, null, upper);
            double misled = PriorEvaluation.crossEntropy(m, prior, lower, null, shifted);
            assertTrue(told < 0.5 && misled > told + 0.5, "the inference path scores with the level above: "
                    + told + " nats with the right codes, " + misled + " with another track's");
        }
        assertThrows(IllegalArgumentException.class, () -> new PriorTrainer(config.priors().get(1), config.vqvae(),
                lower, 64, new StageOptions(out, 1, 1, 1e-2, 3, 100, 1, true, 0, 0), QUIET).run(root),
                "an upsampler without the codes above is refused");
    }

    @Test
    void aFolderKeepsEachLevelsStateApartAndALowerLevelNeedsATrainedVqVae(@TempDir Path out) throws IOException {
        List<long[]> tracks = patternedCodes(new Random(5), 2, 200, 64);
        new PriorTrainer(config.priors().get(2), config.vqvae(), tracks, 64,
                new StageOptions(out, 2, 1, 1e-2, 3, 100, 1, true, 0, 0), QUIET).run(root);
        List<long[]> upper = new ArrayList<>();
        for (long[] t : tracks) {
            upper.add(java.util.Arrays.copyOf(t, t.length / 4));
        }
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class, () -> new PriorTrainer(
                config.priors().get(1), config.vqvae(), tracks, 64,
                new StageOptions(out, 2, 1, 1e-2, 3, 100, 1, false, 0, 0), QUIET).conditionedOn(upper).run(root));
        assertTrue(mixed.getMessage().contains("state of level 2, not of level 1"), mixed.getMessage());

        Path configFile = Files.writeString(out.resolve("tiny.json"), TINY);
        IllegalArgumentException bare = assertThrows(IllegalArgumentException.class, () -> Training.run(
                plan(configFile, out.resolve("lower"), "vqvae", 1), QUIET));
        assertTrue(bare.getMessage().contains("--init-vqvae"), bare.getMessage());
        // Scoring a lower level trains no VQ-VAE, so it needs no --init-vqvae: it goes on to the folder's files.
        Exception scored = assertThrows(Exception.class, () -> Training.run(
                plan(configFile, out.resolve("lower"), "eval", 1), QUIET));
        assertTrue(scored.getMessage().contains("vqvae.safetensors"), scored.getMessage());
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> Training.run(
                plan(configFile, out.resolve("lower"), "prior", 3), QUIET));
        assertTrue(outside.getMessage().contains("--level must be 0..2"), outside.getMessage());
    }

    @Test
    void aPriorWithAFixedBeatTrainsOnTheCorpusStretchedToItsTempo(@TempDir Path dir) throws Exception {
        // 32 codes of 128 samples at 8 kHz: a beat of 0.512 s, 117.1875 BPM.
        Path configFile = Files.writeString(dir.resolve("fixed.json"), TINY.replace("\"labels\": false, \"sr\": 8000},",
                "\"labels\": false, \"sr\": 8000, \"beat_clock\": true, \"beat_codes\": 32},"));
        Path audio = Files.createDirectories(dir.resolve("corpus"));
        double[] tempi = {90, 160};
        StringBuilder manifest = new StringBuilder("file,tempo_bpm,time_signature,offset_s\n");
        for (int k = 0; k < tempi.length; k++) {
            float[] x = new float[6 * 8000];
            for (int i = 0; i < x.length; i++) { // clicks on the beat over a quiet tone
                double inBeat = (i / 8000.0) % (60 / tempi[k]);
                x[i] = (float) (0.6 * Math.exp(-inBeat * 60) * Math.sin(i * 0.7) + 0.05 * Math.sin(i * 0.2));
            }
            dev.segue.protocol.wav.WavWriter.write16(audio.resolve("clip-" + k + ".wav"),
                    new dev.segue.protocol.wav.PcmAudio(8000, 1, x));
            manifest.append("clip-").append(k).append(".wav,").append((int) tempi[k]).append(",4/4,0\n");
        }
        Files.writeString(audio.resolve("manifest.csv"), manifest);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Training.Plan measured = new Training.Plan(configFile, audio, false, 0, 0, dir.resolve("out"), "all", 2, 2, 1,
                1, 1e-3, 1e-3, null, 0, 0, 1, 100, 1, false, "measured", 0.25, null, null, null, false, 0);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Training.run(measured, QUIET), "a fixed beat trains on composed tempi only");
        assertTrue(refused.getMessage().contains("--clock grid"), refused.getMessage());
        Training.Plan grid = new Training.Plan(configFile, audio, false, 0, 0, dir.resolve("out"), "all", 2, 2, 1, 1,
                1e-3, 1e-3, null, 0, 0, 1, 100, 1, false, "grid", 0.25, null, null, null, false, 0);
        Training.run(grid, new PrintStream(log, true));
        // 90 BPM is heard at 117.1875 (stretched by 0.768), 160 BPM too (by 1.365): 12 s of audio become 12.8 s.
        double heard = 6 * 90 / 117.1875 + 6 * 160 / 117.1875;
        assertTrue(log.toString().contains(String.format("2 tracks stretched to 117.1875 BPM (12 s of audio became %.0f s)",
                heard)), log.toString());
        assertTrue(Files.isRegularFile(dir.resolve("out").resolve("prior_level_2.safetensors")));
    }

    private static Training.Plan plan(Path configFile, Path out, String stage, int level) {
        return new Training.Plan(configFile, null, true, 2, 4.0, out, stage, 2, 2, 1, 1, 1e-3, 1e-3, null, 0, 0, 1,
                100, 1, false, "measured", 0.25, null, level, null, false, 0);
    }

    @Test
    void priorLossGoesDownResumesAndTheInferencePathAgrees(@TempDir Path out) throws IOException {
        List<long[]> tracks = patternedCodes(new Random(9), 4, 400, 64);
        StageOptions first = new StageOptions(out, 12, 2, 1e-2, 7, 6, 1, true, 0, 0);
        new PriorTrainer(config.priors().get(2), config.vqvae(), tracks, 64, first, QUIET).run(root);
        try (SafetensorsFile state = SafetensorsFile.open(StateFile.path(out, PriorTrainer.STAGE))) {
            assertEquals(12, StateFile.step(state, PriorTrainer.STAGE, 2, 2));
            assertTrue(state.contains("adam.m.prior.x_emb.weight"), "optimizer moments are saved");
        }
        StageOptions resumed = new StageOptions(out, 40, 2, 1e-2, 7, 100, 1, false, 0, 0);
        new PriorTrainer(config.priors().get(2), config.vqvae(), tracks, 64, resumed, QUIET).run(root);
        List<JsonNode> rows = metrics(out, "prior");
        assertEquals(40, rows.size(), "12 steps, then 28 more after resuming");
        assertEquals(13, rows.get(12).get("step").asInt());
        double start = mean(rows.subList(0, 3), "loss");
        double end = mean(rows.subList(37, 40), "loss");
        assertTrue(start > 3.5, "starts near ln(64) = 4.16: " + start);
        assertTrue(end < start - 1.0, "prior loss " + start + " -> " + end);

        // The exported file, loaded by the inference classes: their chunked, cached forward scores the
        // patterned codes as well as training last did.
        try (WeightStore w = Checkpoints.open(out.resolve("prior_level_2.safetensors"));
             NDManager m = root.newSubManager();
             Prior prior = new Prior(config.priors().get(2), config.vqvae(), w, m)) {
            assertTrue(w.contains("prior.x_out.weight"), "tied output projection saved under both names");
            long[] window = java.util.Arrays.copyOf(tracks.get(0), 64);
            NDArray tokens = m.create(window, new Shape(1, 64));
            try (KvCache cache = prior.newCache(m, 1)) {
                NDArray logits = prior.forward(cache, prior.condition(m, 1, null, null), tokens, 0);
                double ce = logits.logSoftmax(-1).gather(tokens.expandDims(-1), -1).neg().mean().getFloat();
                assertTrue(ce < start - 1.0, "inference cross-entropy " + ce + " vs initial " + start);
            }
        }
    }

    @Test
    void aPriorStartedFromExportedWeightsStartsWhereTheyEndedAndASavedStateStillWins(@TempDir Path out)
            throws IOException {
        List<long[]> tracks = patternedCodes(new Random(9), 4, 400, 64);
        Path trained = java.nio.file.Files.createDirectories(out.resolve("trained"));
        new PriorTrainer(config.priors().get(2), config.vqvae(), tracks, 64,
                new StageOptions(trained, 30, 2, 1e-2, 7, 100, 1, true, 0, 0), QUIET).run(root);
        double trainedEnd = mean(metrics(trained, "prior").subList(27, 30), "loss");

        Path tuned = java.nio.file.Files.createDirectories(out.resolve("tuned"));
        new PriorTrainer(config.priors().get(2), config.vqvae(), tracks, 64,
                new StageOptions(tuned, 6, 2, 1e-3, 8, 100, 1, true, 0, 0), QUIET)
                .startingFrom(trained.resolve("prior_level_2.safetensors")).run(root);
        List<JsonNode> rows = metrics(tuned, "prior");
        assertEquals(6, rows.size());
        assertEquals(1, rows.get(0).get("step").asInt(), "a fresh schedule from step 0");
        double tunedStart = mean(rows.subList(0, 3), "loss");
        assertTrue(tunedStart < 4.16 - 1.0 && tunedStart < trainedEnd + 0.5,
                "started from the trained weights: " + tunedStart + " (trained run ended at " + trainedEnd + ")");

        // With a state in the folder the run resumes it; the file only seeds a run that has none.
        new PriorTrainer(config.priors().get(2), config.vqvae(), tracks, 64,
                new StageOptions(tuned, 9, 2, 1e-3, 8, 100, 1, false, 0, 0), QUIET)
                .startingFrom(out.resolve("no-such-file.safetensors")).run(root);
        rows = metrics(tuned, "prior");
        assertEquals(9, rows.size(), "6 steps, then 3 more resumed");
        assertEquals(7, rows.get(6).get("step").asInt());
    }

    @Test
    void aBeatClockedPriorLearnsFromCodesAndTheAudioTheyCameFrom(@TempDir Path out) throws Exception {
        ModelConfig clocked = clockedConfig();
        List<long[]> tracks = patternedCodes(new Random(9), 3, 400, 64);
        List<float[]> audio = SyntheticSongs.generate(2, 3, 400 * 128 / 8000.0 + 0.1, 8000);
        StageOptions o = new StageOptions(out, 30, 2, 1e-2, 7, 100, 1, true, 0, 0);
        new PriorTrainer(clocked.priors().get(2), clocked.vqvae(), tracks, audio, 64, o, QUIET).run(root);
        List<JsonNode> rows = metrics(out, "prior");
        double start = mean(rows.subList(0, 3), "loss");
        double end = mean(rows.subList(27, 30), "loss");
        assertTrue(end < start - 1.0, "prior loss " + start + " -> " + end);
        try (SafetensorsFile w = SafetensorsFile.open(out.resolve("prior_level_2.safetensors"))) {
            float[] clock = w.get("beat_clock.weight").toFloats();
            assertTrue(TrainingForwardTest.maxAbsDiff(clock, new float[clock.length]) > 0, "the clock was trained");
        }
        assertThrows(IllegalArgumentException.class, () -> new PriorTrainer(clocked.priors().get(2), clocked.vqvae(),
                tracks, 64, o, QUIET), "a beat clock needs the audio");
    }

    @Test
    void aBeatClockedPriorTrainsOnTheComposedGridWithTheMeasuredClockKeptInAShare(@TempDir Path out) throws Exception {
        ModelConfig clocked = clockedConfig();
        List<long[]> tracks = patternedCodes(new Random(9), 3, 400, 64);
        List<float[]> audio = SyntheticSongs.generate(2, 3, 400 * 128 / 8000.0 + 0.1, 8000);
        List<PrimeTraits.Grid> grids = List.of(new PrimeTraits.Grid(96, 4, 0.8), new PrimeTraits.Grid(150, 3, 2.5),
                new PrimeTraits.Grid(60, 4, 0));
        StageOptions o = new StageOptions(out, 30, 2, 1e-2, 7, 100, 1, true, 0, 0);
        new PriorTrainer(clocked.priors().get(2), clocked.vqvae(), tracks, audio, grids, 0.25, 64, o, QUIET).run(root);
        List<JsonNode> rows = metrics(out, "prior");
        assertEquals(30, rows.size());
        double start = mean(rows.subList(0, 3), "loss");
        double end = mean(rows.subList(27, 30), "loss");
        assertTrue(end < start - 1.0, "prior loss " + start + " -> " + end);
        try (SafetensorsFile w = SafetensorsFile.open(out.resolve("prior_level_2.safetensors"))) {
            float[] clock = w.get("beat_clock.weight").toFloats();
            assertTrue(TrainingForwardTest.maxAbsDiff(clock, new float[clock.length]) > 0, "the clock was trained");
        }
        assertThrows(IllegalArgumentException.class, () -> new PriorTrainer(clocked.priors().get(2), clocked.vqvae(),
                tracks, audio, grids.subList(0, 2), 0.25, 64, o, QUIET), "one grid per track");
        assertThrows(IllegalArgumentException.class, () -> new PriorTrainer(config.priors().get(2), config.vqvae(),
                tracks, audio, grids, 0.25, 64, o, QUIET), "a prior without a clock takes no grid");
    }

    @Test
    void aWindowsClockIsTheGridAtItsHeadOrInTheMeasuredShareTheEstimate() {
        float[] head = SyntheticSongs.generate(3, 1, 6, 8000).get(0);
        PrimeTraits.Grid grid = new PrimeTraits.Grid(100, 4, 1.5); // the track starts 1.5 quarters after a downbeat
        double at = 2.4;                                            // the window's head, seconds into the track
        PrimeTraits measured = PrimeTraits.measure(head, 8000);
        PrimeTraits g = PriorTrainer.clock(head, 8000, grid, at, 0, false, new Random(1));
        assertEquals(100, g.bpm(), 1e-12);
        double bar = (1.5 + (at + 1.0) * 100 / 60) / 4; // the composed bar 1.0 s after the head
        double phase = g.barPhaseAt(1.0);
        double d = Math.abs(phase - (bar - Math.floor(bar)));
        assertTrue(Math.min(d, 1 - d) < 1e-9, "the composed bar phase: " + phase + " vs " + bar);
        org.junit.jupiter.api.Assertions.assertArrayEquals(measured.chroma(), g.chroma(), 1e-12, "chroma measured");
        PrimeTraits m = PriorTrainer.clock(head, 8000, grid, at, 1, false, new Random(1));
        assertEquals(measured.bpm(), m.bpm(), 1e-12, "a share of 1: always the estimate");
        assertEquals(measured.firstBeatSeconds(), m.firstBeatSeconds(), 1e-12);
        int fromGrid = 0;
        Random r = new Random(6);
        for (int i = 0; i < 400; i++) {
            fromGrid += Double.isNaN(PriorTrainer.clock(new float[100], 8000, grid, 0, 0.25, false, r).bpm()) ? 0 : 1;
        }
        assertTrue(fromGrid > 260 && fromGrid < 340, "about 3 in 4 windows on the grid: " + fromGrid + " of 400");
        Random untouched = new Random(7);
        PriorTrainer.clock(head, 8000, null, at, 0.25, false, untouched);
        assertEquals(new Random(7).nextLong(), untouched.nextLong(), "no grid, no draw");
    }

    @Test
    void withBarChromaAGridClockedHeadIsHeardBarByBarAndAMeasuredOneIsNot() {
        float[] head = SyntheticSongs.generate(3, 1, 6, 8000).get(0);
        PrimeTraits.Grid grid = new PrimeTraits.Grid(100, 4, 1.5);
        PrimeTraits plain = PriorTrainer.clock(head, 8000, grid, 2.4, 0, false, new Random(1));
        PrimeTraits barred = PriorTrainer.clock(head, 8000, grid, 2.4, 0, true, new Random(1));
        assertEquals(plain.withBarCycle(head, 8000, () -> { }).barCycle().length, barred.barCycle().length,
                "the head's bars, as sampling measures a prime's");
        assertTrue(plain.barCycle() == null, "without bar_chroma one chroma");
        assertTrue(PriorTrainer.clock(head, 8000, grid, 2.4, 1, true, new Random(1)).barCycle() == null,
                "a measured clock knows no downbeat: no bars");
        Random a = new Random(9);
        Random b = new Random(9);
        PriorTrainer.clock(head, 8000, grid, 2.4, 0.25, true, a);
        PriorTrainer.clock(head, 8000, grid, 2.4, 0.25, false, b);
        assertEquals(b.nextLong(), a.nextLong(), "the same draws with or without bars: runs stay reproducible");
    }

    @Test
    void aStateSavedWithoutTheClockResumesWithOneThatStartsSilent(@TempDir Path out) throws Exception {
        List<long[]> tracks = patternedCodes(new Random(5), 3, 200, 64);
        List<float[]> audio = SyntheticSongs.generate(4, 3, 200 * 128 / 8000.0 + 0.1, 8000);
        new PriorTrainer(config.priors().get(2), config.vqvae(), tracks, 64,
                new StageOptions(out, 6, 2, 1e-2, 3, 100, 1, true, 0, 0), QUIET).run(root);
        Path plainFile = out.resolve("plain.safetensors");
        Files.copy(out.resolve("prior_level_2.safetensors"), plainFile);
        ModelConfig clocked = clockedConfig();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // Resumed at its own step: nothing more is trained, the grown model is exported as it starts.
        new PriorTrainer(clocked.priors().get(2), clocked.vqvae(), tracks, audio, 64,
                new StageOptions(out, 6, 2, 1e-2, 3, 100, 1, false, 0, 6), new PrintStream(log)).run(root);
        assertTrue(log.toString().contains("new parameters, initialised fresh: beat_clock.weight, beat_clock.bias"),
                log.toString());
        try (WeightStore plainW = Checkpoints.open(plainFile);
             WeightStore grownW = Checkpoints.open(out.resolve("prior_level_2.safetensors"));
             NDManager m = root.newSubManager();
             Prior plain = new Prior(config.priors().get(2), config.vqvae(), plainW, m);
             Prior grown = new Prior(clocked.priors().get(2), clocked.vqvae(), grownW, m)) {
            long[] window = java.util.Arrays.copyOf(tracks.get(1), 64);
            float[] before;
            float[] after;
            try (KvCache cache = plain.newCache(m, 1)) {
                before = plain.forward(cache, plain.condition(m, 1, null, null), m.create(window, new Shape(1, 64)), 0)
                        .toFloatArray();
            }
            double[] chroma = new double[12];
            chroma[2] = 1;
            try (KvCache cache = grown.newCache(m, 1)) {
                after = grown.forward(cache, grown.condition(m, 1, null, null,
                        List.of(new dev.segue.engine.prior.PrimeTraits(111, 0.3, chroma).at(0.5))),
                        m.create(window, new Shape(1, 64)), 0).toFloatArray();
            }
            assertTrue(TrainingForwardTest.maxAbsDiff(before, after) < 1e-5, "a fresh clock changes nothing yet");
        }
    }

    private static ModelConfig clockedConfig() throws IOException {
        return ModelConfig.fromJson(new ObjectMapper().readTree(TINY.replace("\"labels\": false",
                "\"labels\": false, \"beat_clock\": true")), "tiny, beat clock");
    }

    @Test
    void consecutiveStepsDrawUnrelatedBatches() {
        java.util.Set<Integer> tracks = new java.util.HashSet<>();
        for (long step = 0; step < 64; step++) {
            tracks.add(StepRandom.of(1, step).nextInt(32));
        }
        // 64 independent draws from 32 tracks hit about 28 of them; correlated seeds hit a handful.
        assertTrue(tracks.size() >= 20, "64 steps drew only " + tracks.size() + " distinct tracks of 32");
    }

    @Test
    void aStoppedAndResumedRunEndsWhereAnUninterruptedOneDoes(@TempDir Path whole, @TempDir Path split)
            throws IOException {
        List<long[]> tracks = patternedCodes(new Random(4), 3, 200, 64);
        PriorTrainer straight = new PriorTrainer(config.priors().get(2), config.vqvae(), tracks, 64,
                new StageOptions(whole, 8, 2, 1e-2, 3, 100, 1, true, 0, 0), QUIET);
        straight.run(root);
        new PriorTrainer(config.priors().get(2), config.vqvae(), tracks, 64,
                new StageOptions(split, 8, 2, 1e-2, 3, 100, 1, true, 0, 5), QUIET).run(root);
        new PriorTrainer(config.priors().get(2), config.vqvae(), tracks, 64,
                new StageOptions(split, 8, 2, 1e-2, 3, 100, 1, false, 0, 0), QUIET).run(root);
        try (SafetensorsFile a = SafetensorsFile.open(whole.resolve("prior_level_2.safetensors"));
             SafetensorsFile b = SafetensorsFile.open(split.resolve("prior_level_2.safetensors"))) {
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                float[] x = a.get(name).toFloats();
                float[] y = b.get(name).toFloats();
                assertTrue(TrainingForwardTest.maxAbsDiff(x, y) < 1e-6, name + " differs after resuming");
            }
        }
    }

    /**
     * Tracks repeating one 8-code motif (each code predicts the next) with 10% noise: learnable in a few
     * dozen steps, to well below the ln(64) nats of a uniform guess.
     */
    private static List<long[]> patternedCodes(Random r, int count, int length, int bins) {
        List<long[]> out = new ArrayList<>();
        long[] motif = new long[8];
        for (int i = 0; i < motif.length; i++) {
            motif[i] = r.nextInt(bins);
        }
        for (int t = 0; t < count; t++) {
            long[] codes = new long[length];
            for (int i = 0; i < length; i++) {
                codes[i] = r.nextDouble() < 0.1 ? r.nextInt(bins) : motif[i % 8];
            }
            out.add(codes);
        }
        return out;
    }

    private static List<JsonNode> metrics(Path out, String stage) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode row = json.readTree(line);
            if (row.get("stage").asText().equals(stage)) {
                rows.add(row);
            }
        }
        return rows;
    }

    private static double mean(List<JsonNode> rows, String key) {
        return rows.stream().mapToDouble(r -> r.get(key).asDouble()).average().orElseThrow();
    }
}
