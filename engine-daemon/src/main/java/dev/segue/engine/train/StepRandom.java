package dev.segue.engine.train;

import java.util.Random;

/**
 * The random source of one training step, from (seed, step) alone. The two are mixed (SplitMix64's
 * finaliser) before seeding: {@code new Random(seed * 31 + step)} gives first draws that barely change
 * from one step to the next (java.util.Random's first output is nearly linear in its seed), which made
 * consecutive steps pick nearly the same track and offset.
 */
final class StepRandom {
    private StepRandom() {}

    static long mix(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static Random of(long seed, long step) {
        return new Random(mix(seed, step));
    }
}
