package dev.segue.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.nn.Djl;
import org.junit.jupiter.api.Test;

/**
 * The codebook's EMA step leaves nothing behind: every temporary of a step is freed with the step's
 * manager. (Temporaries made from the EMA state once landed on its long-lived manager, about 3 MB a step
 * at the top level's 2048 x 64 codebook, until a long VQ-VAE run ran out of memory.)
 */
class EmaCodebookTest {
    @Test
    void stepsKeepNoArraysBeyondTheirOwnManager() {
        try (NDManager root = Djl.cpuManager(); NDManager model = root.newSubManager()) {
            NDArray k = model.randomNormal(new Shape(64, 8));
            try (EmaCodebook codebook = new EmaCodebook(model, k)) {
                int before = -1;
                for (int step = 0; step < 12; step++) {
                    try (NDManager m = model.newSubManager()) {
                        NDArray z = m.randomNormal(new Shape(2, 8, 40));
                        codebook.quantise(z, true);
                    }
                    if (step == 1) {
                        before = model.getManagedArrays().size(); // after the first update's one-off setup
                    }
                }
                assertEquals(before, model.getManagedArrays().size(), "arrays left on the model's managers");
            }
        }
    }
}
