package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU step kernel and the DJL step agree on the lyrics priors: lyrics attention whose keys stop past
 * the lyric tokens (single_enc_dec, steps before and after that limit), and encoder-decoder attention
 * (sep_enc_dec), from a prefilled cache and from nothing (where the kernel must write the encoder's keys
 * and values itself), at several batch sizes.
 */
class LyricsStepPathsTest {
    private static final Path FIXTURE = Path.of(System.getProperty("segue.shared", "../../shared"))
            .resolve("conformance/jukebox-lyrics-ref");
    private static NDManager root;
    private static ModelConfig config;
    private static SafetensorsFile cases;

    @BeforeAll
    static void setUp() {
        root = Djl.cpuManager();
        config = ModelConfig.load(FIXTURE.resolve("config.json"));
        cases = SafetensorsFile.open(FIXTURE.resolve("cases.safetensors"));
    }

    @AfterAll
    static void tearDown() {
        cases.close();
        root.close();
    }

    @ParameterizedTest(name = "{0}, prime {1}, batch {2}")
    // single_enc_dec: 20 + 40 steps cross the lyrics attention's key limit (48 in the fixture).
    // sep_enc_dec from nothing: the kernel writes the encoder's keys/values into the empty cache itself.
    @CsvSource({"single_enc_dec, 20, 5", "sep_enc_dec, 0, 2"})
    void kernelMatchesDjlStep(String name, int primeLen, int batch) {
        PriorConfig pc = config.named().get(name);
        long[] y = cases.get(name + ".y").toLongs();
        int rowLength = pc.labelRowLength();
        long[] z = java.util.Arrays.copyOfRange(cases.get(name + ".z").toLongs(), 0, pc.nCtx());
        try (SafetensorsFile weights = SafetensorsFile.open(FIXTURE.resolve("prior_" + name + ".safetensors"));
             NDManager m = root.newSubManager();
             Prior prior = new Prior(pc, config.vqvae(), weights, m)) {
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
            StepSession djl = StepPathsTest.djlSteps(prior, m, forDjl, cond);
            double worst = 0;
            long[] previous = new long[batch];
            for (int t = primeLen; t < Math.min(length, primeLen + 40); t++) {
                for (int b = 0; b < batch; b++) {
                    previous[b] = t == 0 ? 0 : sequence[(t - 1 + 7 * b) % length]; // distinct histories
                }
                float[] a = kernel.step(previous, t).clone();
                float[] d = djl.step(previous, t);
                for (int i = 0; i < a.length; i++) {
                    worst = Math.max(worst, Math.abs(a[i] - d[i]));
                }
            }
            assertTrue(worst < 1e-4, "kernel and DJL step logits differ by " + worst);
            forKernel.close();
            forDjl.close();
        }
    }

    private static KvCache prefilled(Prior prior, NDManager m, Conditioning cond, long[] sequence, int primeLen,
                                     int batch) {
        KvCache cache = prior.newCache(m, batch);
        if (primeLen > 0) {
            long[] previous = new long[batch * primeLen];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < primeLen; j++) {
                    previous[b * primeLen + j] = j == 0 ? 0 : sequence[j - 1];
                }
            }
            prior.forward(cache, cond, m.create(previous, new Shape(batch, primeLen)), 0);
        }
        return cache;
    }
}
