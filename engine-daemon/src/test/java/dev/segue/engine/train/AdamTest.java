package dev.segue.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.segue.engine.checkpoint.ParameterSet;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.prior.Prior;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A non-finite gradient skips the update instead of poisoning every weight and moment with NaN. */
class AdamTest {
    private static final Path FIXTURE = Path.of(System.getProperty("segue.shared", "../../shared"))
            .resolve("conformance/jukebox-ref");

    @Test
    void aNaNGradientSkipsTheStepAndTheNextFiniteOneApplies() {
        ModelConfig config = ModelConfig.load(FIXTURE.resolve("config.json"));
        ParameterSet params = new ParameterSet();
        try (NDManager root = Djl.cpuManager();
             SafetensorsFile weights = SafetensorsFile.open(FIXTURE.resolve("prior_level_2.safetensors"));
             Prior prior = new Prior(config.priors().get(2), config.vqvae(), weights, root, params);
             Adam adam = new Adam(root, params, Set.of("prior.x_emb.weight"))) {
            NDArray p = params.get("prior.x_emb.weight");
            backwardOnes(p);
            float[] nan = new float[Math.toIntExact(p.size())];
            Arrays.fill(nan, Float.NaN);
            p.getGradient().set(nan);
            float[] before = p.toFloatArray();
            double norm = adam.step(1e-2, 1.0);
            assertTrue(Double.isNaN(norm), "the norm reports the bad gradient: " + norm);
            assertArrayEquals(before, p.toFloatArray(), "a NaN gradient must not touch the weights");

            backwardOnes(p);
            assertTrue(Double.isFinite(adam.step(1e-2, 1.0)));
            float[] after = p.toFloatArray();
            assertFalse(Arrays.equals(before, after), "the next finite gradient is applied");
            for (float v : after) {
                assertTrue(Float.isFinite(v), "weights stay finite after a skipped step");
            }
        }
    }

    private static void backwardOnes(NDArray p) {
        try (NDManager scope = p.getManager().newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = p.sum();
            loss.attach(scope);
            gc.backward(loss);
        }
    }
}
