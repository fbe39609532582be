package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The prime's chroma bar by bar ({@link PrimeTraits#withBarCycle}): measured on the DAW's bars, kept in the
 * longest cycle the prime shows whole, and heard by every position of its place in that cycle, in the
 * continuation as in the prime.
 */
class BarCycleTest {
    private static final int SR = 16000;
    private static final int F = PrimeTraits.FEATURES;
    private static final int CHROMA_AT = F - 12;
    /** A four-bar loop, one chord per bar: C, A minor, F, G. */
    private static final int[][] LOOP = {{0, 4, 7}, {9, 0, 4}, {5, 9, 0}, {7, 11, 2}};

    /** {@code seconds} of the loop at 120 BPM in 4/4 (2 s bars), starting {@code startBar} bars into it. */
    private static float[] loop(double startBar, double seconds) {
        float[] a = new float[(int) (seconds * SR)];
        for (int i = 0; i < a.length; i++) {
            double t = i / (double) SR;
            int bar = (int) Math.floor(startBar + t / 2);
            double s = 0;
            for (int pc : LOOP[Math.floorMod(bar, LOOP.length)]) {
                double f = 261.63 * Math.pow(2, pc / 12.0);
                s += Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(4 * Math.PI * f * t);
            }
            a[i] = (float) (0.15 * s);
        }
        return a;
    }

    /** The three strongest pitch classes, sorted. */
    private static int[] top3(double[] chroma) {
        return IntStream.range(0, 12).boxed().sorted((x, y) -> Double.compare(chroma[y], chroma[x])).limit(3)
                .mapToInt(Integer::intValue).sorted().toArray();
    }

    private static int[] sorted(int[] chord) {
        return Arrays.stream(chord).sorted().toArray();
    }

    /** The chroma features heard at {@code seconds} after the clock's origin. */
    private static double[] heardAt(PrimeTraits t, double seconds) {
        float[] f = new float[F];
        t.features(seconds, 0.01, 1, f);
        double[] c = new double[12];
        for (int k = 0; k < 12; k++) {
            c[k] = f[CHROMA_AT + k];
        }
        return c;
    }

    private static PrimeTraits onGrid(double startBar, float[] prime) {
        return PrimeTraits.fromGrid(new PrimeTraits.Grid(120, 4, startBar * 4), 0, prime, SR);
    }

    @Test
    void eachBarOfTheLoopIsHeardAtItsPlaceInTheContinuation() {
        // 8 s from the middle of bar 0: half of bar 0, bars 1 to 3 whole, half of bar 4.
        float[] prime = loop(0.5, 8);
        PrimeTraits t = onGrid(0.5, prime).withBarCycle(prime, SR, () -> { });
        double[][] cycle = t.barCycle();
        assertNotNull(cycle, "a prime showing four bars keeps a cycle");
        assertEquals(4, cycle.length, "bars 5 to 7 are not in the prime, so no cycle of 8");
        for (int bar = 0; bar < 4; bar++) {
            assertArrayEquals(sorted(LOOP[bar]), top3(cycle[bar]), "bar " + bar + "'s chord in the cycle");
        }
        // Seconds from the origin: bar b spans (2b - 1, 2b + 1). The continuation starts at 8 s, in bar 4.
        for (int bar = 4; bar < 12; bar++) {
            double[] heard = heardAt(t, 2 * bar + 0.3);
            assertArrayEquals(sorted(LOOP[bar % 4]), top3(heard), "bar " + bar + " of the continuation");
        }
        assertArrayEquals(top3(heardAt(t, 2 * 1 + 0.3)), top3(heardAt(t, 2 * 5 + 0.3)), "bar 5 hears bar 1");
    }

    @Test
    void withoutACycleEveryPositionHearsTheWholePrimesChroma() {
        float[] prime = loop(0.5, 8);
        PrimeTraits plain = onGrid(0.5, prime);
        assertNull(plain.barCycle());
        assertArrayEquals(heardAt(plain, 0.3), heardAt(plain, 10.3), "one chroma everywhere");
    }

    @Test
    void aBarCountsWhenHalfOfItIsInThePrime() {
        float[] longer = loop(0, 3.5); // bar 0 whole, three quarters of bar 1
        PrimeTraits two = onGrid(0, longer).withBarCycle(longer, SR, () -> { });
        assertNotNull(two.barCycle(), "bars 0 and 1 make a cycle of 2");
        assertEquals(2, two.barCycle().length);
        assertArrayEquals(sorted(LOOP[1]), top3(heardAt(two, 7.3)), "bar 3 hears bar 1");
        float[] shorter = loop(0, 2.9); // bar 1 under half inside: no bar for the cycle's second place
        PrimeTraits one = onGrid(0, shorter);
        assertSame(one, one.withBarCycle(shorter, SR, () -> { }));
    }

    @Test
    void droppingTheTempoOrTheChromaDropsTheCycle() {
        float[] prime = loop(0.5, 8);
        PrimeTraits t = onGrid(0.5, prime).withBarCycle(prime, SR, () -> { });
        assertNull(t.withoutChroma().barCycle(), "pitch guidance's twin row hears no pitch at all");
        assertNull(t.withoutTempo().barCycle(), "no tempo, no bars");
        PrimeTraits noTempo = t.withoutTempo();
        assertSame(noTempo, noTempo.withBarCycle(prime, SR, () -> { }));
    }

    @Test
    void rejectsACycleItCannotPlace() {
        double[] c = new double[12];
        c[0] = 1;
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(120, 0, 4, 0, c, new double[][] {c}));
        assertThrows(IllegalArgumentException.class,
                () -> new PrimeTraits(120, 0, 4, 0, c, new double[PrimeTraits.MAX_BAR_CYCLE + 1][12]));
        assertThrows(IllegalArgumentException.class,
                () -> new PrimeTraits(Double.NaN, Double.NaN, 4, 0, c, new double[][] {c, c}));
        assertThrows(IllegalArgumentException.class, () -> new PrimeTraits(120, 0, 4, 0, c, new double[][] {c, {1}}));
    }
}
