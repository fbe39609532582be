package dev.segue.engine.prior;

import static dev.segue.engine.testing.StepPaths.djlSteps;
import static dev.segue.engine.testing.StepPaths.prefilled;
import static dev.segue.engine.testing.StepPaths.worstDifference;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.testing.ReferenceFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU step kernel and the DJL step agree on the lyrics priors: lyrics attention whose keys stop past
 * the lyric tokens (single_enc_dec, steps before and after that limit), and encoder-decoder attention
 * (sep_enc_dec), from a prefilled cache and from nothing (where the kernel must write the encoder's keys
 * and values itself), at several batch sizes.
 */
class LyricsStepPathsTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.lyrics();

    @ParameterizedTest(name = "{0}, prime {1}, batch {2}")
    // single_enc_dec: 20 + 40 steps cross the lyrics attention's key limit (48 in the fixture).
    // sep_enc_dec from nothing: the kernel writes the encoder's keys/values into the empty cache itself.
    @CsvSource({"single_enc_dec, 20, 5", "sep_enc_dec, 0, 2"})
    void kernelMatchesDjlStep(String name, int primeLen, int batch) {
        PriorConfig pc = fixture.config().named().get(name);
        long[] y = fixture.cases().get(name + ".y").toLongs();
        int rowLength = pc.labelRowLength();
        long[] z = java.util.Arrays.copyOfRange(fixture.cases().get(name + ".z").toLongs(), 0, pc.nCtx());
        try (SafetensorsFile weights = fixture.weights("prior_" + name + ".safetensors");
             NDManager m = fixture.root().newSubManager();
             Prior prior = new Prior(pc, fixture.config().vqvae(), weights, m)) {
            List<LabelRow> labels = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                int row = b % (y.length / rowLength);
                labels.add(LabelRow.fromRow(java.util.Arrays.copyOfRange(y, row * rowLength, (row + 1) * rowLength),
                        pc.maxBowGenreSize(), pc.nTokens()));
            }
            long[] sequence = prior.lyricPrefix() > 0 ? prior.jointSequence(labels.get(0).lyrics(), z) : z;
            int length = prior.contextLength();
            Conditioning cond = prior.condition(m, batch, labels, null);
            KvCache forKernel = prefilled(prior, m, cond, sequence, primeLen, batch);
            KvCache forDjl = prefilled(prior, m, cond, sequence, primeLen, batch);
            StepSession kernel = prior.openSteps(m, forKernel, cond);
            StepSession djl = djlSteps(prior, m, forDjl, cond);
            double worst = worstDifference(kernel, djl, sequence, batch, primeLen, Math.min(length, primeLen + 40), 0,
                    length);
            assertTrue(worst < 1e-4, "kernel and DJL step logits differ by " + worst);
            forKernel.close();
            forDjl.close();
        }
    }
}
