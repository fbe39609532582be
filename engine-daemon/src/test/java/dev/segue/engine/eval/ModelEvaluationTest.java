package dev.segue.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.corpus.CorpusGenerator;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.vqvae.VqVae;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The whole evaluation on presets/demo-sketch.json with seeded random weights: it must run end to end and
 * show what random weights deserve, a prior no better than uniform and no gap between matched and
 * shuffled continuations beyond noise.
 */
class ModelEvaluationTest {
    @Test
    void randomWeightsScoreAtBaseline() throws Exception {
        ModelConfig config = ModelConfig.load(Path.of("..", "presets", "demo-sketch.json"));
        CorpusGenerator corpus = CorpusGenerator.withDefaultSoundFont();
        ModelEvaluation.Result r;
        try (NDManager root = Djl.cpuManager();
             VqVae vqvae = new VqVae(config.vqvae(), new RandomWeights(1), root);
             Prior top = new Prior(config.priors().get(2), config.vqvae(), new RandomWeights(2), root)) {
            r = ModelEvaluation.run(root, "demo-sketch", vqvae, top, corpus,
                    new ModelEvaluation.Options(2, 1, 2.0, 4.0, 1.0, 1, null), new PrintStream(new ByteArrayOutputStream()));
        }
        assertEquals(3, r.levels().size());
        for (ModelEvaluation.LevelResult l : r.levels()) {
            assertTrue(l.scJukeboxDb() > -3, "random decoder cannot reconstruct: " + l);
            assertTrue(l.perplexity() >= 1 && l.perplexity() <= l.codesUsed() + 1e-9, l.toString());
        }
        assertEquals(255 * 128 / 2 / 44100.0, r.continuationSeconds(), 1e-9); // half of one window of n_ctx 256
        assertEquals(11.0, r.prior().uniformBits(), 1e-9);
        assertTrue(Math.abs(r.prior().bitsPerToken() - 11.0) < 1.0, "random prior near uniform: " + r.prior());
        assertTrue(r.prior().tokens() > 0);
        assertEquals(2, r.truthCoded().pairs());
        assertEquals(0.0, r.truthCoded().chromaMatched(), 1e-9, "a collapsed random codebook decodes no pitch");
        assertEquals(null, r.grid().onGrid(), "a prior without a beat clock has no grid-clock rows");
        assertEquals(2, r.grid().stereoTruth().bands(), "both clips' stereo renderings were compared");
        assertTrue(r.grid().onsetsTruth() >= 0 && r.grid().onsetsTruth() <= 1, "onsets of the true continuation");
        String md = EvalReport.markdown(r);
        assertTrue(md.contains("stereo image against the prime's") && md.contains("DAW's (composed) beat grid"), md);
        assertTrue(md.contains("| VQ-VAE level |") && md.contains("| top prior (level 2) |")
                && md.contains("chroma correlation, model") && md.contains("through the VQ-VAE"), md);
        assertTrue(r.tiers().isEmpty(), "no upsampler, no tier rows");
        assertTrue(!md.contains("each tier on the DAW's grid"), md);
    }

    /**
     * The shipped default prior, upsampler included, on two short held-out clips: each tier's take is read on the
     * DAW's grid beside the truth through each tier's codec, and the draft rendering names the upsampler's scale.
     */
    @Test
    void theDefaultPriorsTiersAreReadSideBySide() throws Exception {
        CorpusGenerator corpus = CorpusGenerator.withDefaultSoundFont();
        ModelEvaluation.Result r;
        try (NDManager root = Djl.cpuManager();
             dev.segue.engine.resident.ResidentModel m = dev.segue.engine.resident.ResidentModel.load(root,
                     Path.of("..", "presets", "default"))) {
            r = ModelEvaluation.run(root, "default", m.vqvae(), m.top(), m.priors().get(1), corpus,
                    new ModelEvaluation.Options(2, 1, 8.0, 4.0, 1.0, 1, java.util.Set.of(1, 2)),
                    new PrintStream(new ByteArrayOutputStream()));
        }
        assertEquals(6, r.tiers().size(), r.tiers().toString());
        assertEquals("sketch take, the DAW's grid as the clock", r.tiers().get(0).what());
        assertEquals("draft take, the DAW's grid as the clock", r.tiers().get(1).what());
        assertEquals("true continuation", r.tiers().get(5).what());
        for (TierRows.Row row : r.tiers()) {
            assertEquals(2, row.clips(), row.toString());
            assertTrue(row.onsets() > 0 && row.onsets() < 1, row.toString());
            assertTrue(row.key() >= 0 && row.key() <= 1, row.toString());
        }
        assertEquals(0.9, r.draft().temperatureScale(), 1e-12, "the shipped upsampler's calibration");
        String md = EvalReport.markdown(r);
        assertTrue(md.contains("| each tier on the DAW's grid, 2 clips |")
                && md.contains("× the upsampler's temperature_scale 0.90"), md);
    }
}
