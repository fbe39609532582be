package dev.segue.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.prior.Prior;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Scoring from a position on: the prior is causal, so the bits of positions 0..k-1 are the whole score of
 * the first k codes, and those plus the bits tallied from k on must be the score of the whole sequence.
 */
class PriorScoringTest {
    @Test
    void scoringFromAPositionTalliesExactlyTheRest() throws Exception {
        ModelConfig config = ModelConfig.load(Path.of("..", "presets", "demo-sketch.json"));
        long[] codes = new Random(7).longs(200, 0, config.vqvae().lBins()).toArray();
        int from = 70;
        PriorScoring.Tally whole = new PriorScoring.Tally();
        PriorScoring.Tally head = new PriorScoring.Tally();
        PriorScoring.Tally rest = new PriorScoring.Tally();
        try (NDManager root = Djl.cpuManager();
             Prior top = new Prior(config.priors().get(2), config.vqvae(), new RandomWeights(2), root)) {
            PriorScoring.score(root, top, codes, null, whole);
            PriorScoring.score(root, top, Arrays.copyOf(codes, from), null, head);
            PriorScoring.score(root, top, codes, null, from, rest);
        }
        assertEquals(200, whole.tokens);
        assertEquals(from, head.tokens);
        assertEquals(200 - from, rest.tokens);
        assertEquals(whole.bits, head.bits + rest.bits, 1e-3 * whole.bits / whole.tokens);
    }
}
