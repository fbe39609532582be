package dev.segue.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeamPolishTest {

    @Test
    void declickCarriesThePrimesLevelIntoTheTakeAndFadesItOut() {
        float[] take = new float[1000];
        java.util.Arrays.fill(take, 0.1f);
        SeamPolish.declick(take, 0.6f, 0.1f, 200);
        assertTrue(Math.abs(take[0] - 0.6f) < 0.01f, "first sample continues from the prime: " + take[0]);
        assertEquals(0.1f, take[200], 1e-7f, "untouched after the fade");
        for (int i = 1; i < 200; i++) {
            assertTrue(take[i] <= take[i - 1] + 1e-7f, "the offset fades monotonically");
        }
    }

    @Test
    void loudnessMatchesThePrimeWithinTheGainLimit() {
        float[] prime = new float[48_000];
        float[] take = new float[48_000];
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.5 * Math.sin(i * 0.01));
            take[i] = (float) (0.25 * Math.sin(i * 0.013));
        }
        double gain = SeamPolish.matchLoudness(take, prime, 48_000);
        assertEquals(2.0, gain, 0.02);
        assertEquals(SeamPolish.rms(prime, 0, prime.length), SeamPolish.rms(take, 0, take.length), 1e-3);
        float[] quiet = new float[1000];
        java.util.Arrays.fill(quiet, 1e-4f);
        assertEquals(SeamPolish.MAX_GAIN, SeamPolish.matchLoudness(quiet, prime, 48_000), 1e-9, "gain is capped");
    }
}
