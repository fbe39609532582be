package dev.segue.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.nn.Djl;
import org.junit.jupiter.api.Test;

/**
 * The two forms of the spectral loss weigh a missing attack differently: a loud sustained bass with quiet clicks
 * on top, rendered without the clicks, is almost perfect to the linear form and clearly wrong to the log form, each
 * read against the same form's loss for a bass 3.5 dB too loud.
 */
class SpectralLossTest {
    private static final int RATE = 16000;
    private static final int N = 8192;

    @Test
    void theLogFormHearsAQuietAttackTheLinearFormBarelyDoes() {
        float[] bass = new float[N];
        float[] withClicks = new float[N];
        for (int i = 0; i < N; i++) {
            bass[i] = (float) (0.5 * Math.sin(2 * Math.PI * 80 * i / RATE));
            withClicks[i] = bass[i];
        }
        // A click every 2048 samples: 64 samples of a decaying 3 kHz tone at -40 dB against the bass.
        for (int start = 1024; start < N; start += 2048) {
            for (int i = 0; i < 64; i++) {
                withClicks[start + i] += (float) (0.005 * Math.exp(-i / 16.0) * Math.sin(2 * Math.PI * 3000 * i / RATE));
            }
        }
        try (NDManager m = Djl.cpuManager()) {
            NDArray target = m.create(withClicks, new Shape(1, N));
            NDArray same = m.create(withClicks, new Shape(1, N));
            NDArray without = m.create(bass, new Shape(1, N));
            SpectralLoss linear = SpectralLoss.linear(1024, 512, 256);
            SpectralLoss log = SpectralLoss.logarithmic(1024, 512, 256, 128, 64);
            assertEquals(0, linear.loss(target, same).getFloat(), 1e-6);
            assertEquals(0, log.loss(target, same).getFloat(), 1e-6);
            float lin = linear.loss(target, without).getFloat();
            float lg = log.loss(target, without).getFloat();
            // Each form's loss for the missing clicks, against its loss for a bass 3.5 dB too loud.
            float[] louder = bass.clone();
            for (int i = 0; i < N; i++) {
                louder[i] *= 1.5f;
            }
            NDArray wrong = m.create(louder, new Shape(1, N));
            float linBass = linear.loss(target, wrong).getFloat();
            float lgBass = log.loss(target, wrong).getFloat();
            assertTrue(linBass > 0.1 && lgBass > 0.05, "both forms hear a wrong bass: " + linBass + ", " + lgBass);
            assertTrue(lin / linBass < 1e-4, "to the linear form the clicks are nothing: " + lin + " against " + linBass);
            assertTrue(lg / lgBass > 0.1, "to the log form they are a real error: " + lg + " against " + lgBass);
        }
    }
}
