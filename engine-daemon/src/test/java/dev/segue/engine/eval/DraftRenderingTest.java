package dev.segue.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.corpus.CorpusGenerator;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.resident.ResidentModel;
import dev.segue.engine.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The shipped default prior's draft tier on held-out corpus clips: its upsampler, given a clip's true top-level
 * codes, renders audio whose spectrum follows that clip and not another one. An upsampler that ignored the codes
 * above (random or unconditioned weights) renders no nearer to its own clip than to the others.
 */
class DraftRenderingTest {
    @Test
    void theShippedUpsamplerRendersTheClipWhoseCodesItIsGiven() throws Exception {
        CorpusGenerator corpus = CorpusGenerator.withDefaultSoundFont();
        try (NDManager root = Djl.cpuManager();
             ResidentModel model = ResidentModel.load(root, Path.of("..", "presets", "default"))) {
            Prior upsampler = model.priors().get(1);
            assertNotNull(upsampler, "the default prior ships a level-1 upsampler (the draft tier)");
            int sr = model.vqvae().config().sampleRate();
            int prime = 2 * sr;
            int whole = 4 * sr;
            int n = 3;
            float[][] truth = new float[n][];
            float[][] rendered = new float[n][];
            for (int k = 0; k < n; k++) {
                float[] audio = Arrays.copyOf(corpus.clip(CorpusGenerator.HELD_OUT_SEED_BASE + 40 + k, 4.0, sr).audio(),
                        whole);
                truth[k] = Arrays.copyOfRange(audio, prime, whole);
                rendered[k] = DraftRendering.continuation(root, model.vqvae(), upsampler, audio, prime,
                        new SamplingParams(1.0, 0, 0.0, 7 + k));
                assertEquals(whole - prime, rendered[k].length);
            }
            // Each true continuation against its own rendering and against the others': the rendering made from
            // its codes must be the nearest (per truth, so neither clip's loudness decides it).
            for (int k = 0; k < n; k++) {
                double own = sc(truth[k], rendered[k]);
                for (int j = 0; j < n; j++) {
                    if (j != k) {
                        double other = sc(truth[k], rendered[j]);
                        assertTrue(own < other - 1, "clip " + k + ": " + own + " dB from its own rendering, " + other
                                + " dB from clip " + j + "'s");
                    }
                }
            }
        }
    }

    private static double sc(float[] truth, float[] rendering) {
        return SpectralConvergence.toDb(SpectralConvergence.ratio(truth, rendering, SpectralConvergence.JUKEBOX));
    }
}
