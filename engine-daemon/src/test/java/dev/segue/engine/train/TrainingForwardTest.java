package dev.segue.engine.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.ParameterSet;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.prior.Conditioning;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.testing.ReferenceFixture;
import dev.segue.engine.vqvae.VqVae;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The training-mode forward passes (weights kept in the stored layout, whole-window block-reshaped
 * attention, per-call transposed-conv kernels) compute the reference's function: on the conformance
 * fixture's weights they reproduce the reference's teacher-forced logits and decoded audio.
 */
class TrainingForwardTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.jukebox();

    @Test
    void topPriorWindowLogitsMatchTheReference() {
        ModelConfig config = fixture.config();
        SafetensorsFile cases = fixture.cases();
        long[] z = cases.get("prior2.z").toLongs();
        long[] y = cases.get("prior2.y").toLongs();
        float[] expected = cases.get("prior2.logits").toFloats();
        int nCtx = config.priors().get(2).nCtx();
        int batch = z.length / nCtx;
        ParameterSet params = new ParameterSet();
        try (SafetensorsFile weights = fixture.weights("prior_level_2.safetensors");
             NDManager m = fixture.root().newSubManager();
             Prior prior = new Prior(config.priors().get(2), config.vqvae(), weights, m, params)) {
            List<LabelRow> labels = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                labels.add(LabelRow.fromRow(Arrays.copyOfRange(y, b * 9, b * 9 + 9), 5));
            }
            Conditioning cond = prior.condition(m, batch, labels, null);
            float[] actual = prior.windowLogits(cond, m.create(z, new Shape(batch, nCtx))).toFloatArray();
            double worst = maxAbsDiff(expected, actual);
            assertTrue(worst < 2e-3, "training-mode logits differ from the reference by up to " + worst);
            assertTrue(params.all().containsKey("prior.transformer._attn_mods.0.attn.c_attn.w"),
                    "parameters recorded under the reference names: " + params.all().keySet());
        }
    }

    @Test
    void vqvaeTrainingDecoderMatchesTheReference() {
        SafetensorsFile cases = fixture.cases();
        float[] expected = cases.get("vqvae.decode_from_level2").toFloats();
        long[] codes = cases.get("vqvae.z2").toLongs();
        int n = (int) cases.get("vqvae.x").shape()[0];
        ParameterSet params = new ParameterSet();
        try (SafetensorsFile weights = fixture.weights("vqvae.safetensors");
             NDManager m = fixture.root().newSubManager();
             VqVae vqvae = new VqVae(fixture.config().vqvae(), weights, m, params)) {
            float[] actual = vqvae.decode(m.create(codes, new Shape(n, codes.length / n)), 2).toFloatArray();
            double worst = maxAbsDiff(expected, actual);
            assertTrue(worst < 1e-3, "training-mode decoder differs from the reference by up to " + worst);
            assertTrue(params.all().containsKey("bottleneck.level_blocks.2.k"));
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths " + a.length + " and " + b.length);
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
