package dev.segue.engine.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * What a tempo warp must keep: a tone's pitch and level, and the time of every hit, which must move to
 * {@code ratio} times its time (within the search reach), once each.
 */
class TimeStretchTest {
    private static final int RATE = 16000;

    @ParameterizedTest
    @ValueSource(doubles = {0.72, 0.9, 1.15, 1.41})
    void aToneKeepsItsPitchAndLevel(double ratio) {
        float[] x = new float[3 * RATE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.5 * Math.sin(2 * Math.PI * 441 * i / RATE));
        }
        int length = (int) Math.round(x.length * ratio);
        float[] y = TimeStretch.stretch(x, ratio, length, RATE);
        assertEquals(length, y.length);
        // Amplitude at 441 Hz and at a quarter tone either side, over the middle half.
        double at = amplitude(y, 441);
        assertEquals(0.5, at, 0.05, "level of the tone at ratio " + ratio);
        assertTrue(amplitude(y, 441 * Math.pow(2, 1 / 24.0)) < at / 4, "the tone moved up at ratio " + ratio);
        assertTrue(amplitude(y, 441 * Math.pow(2, -1 / 24.0)) < at / 4, "the tone moved down at ratio " + ratio);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.72, 0.85, 1.2, 1.41})
    void hitsMoveToRatioTimesTheirTimeOnceEach(double ratio) {
        Random random = new Random(7);
        float[] x = new float[6 * RATE];
        List<Double> times = new ArrayList<>();
        // Hits of decaying noise at uneven times, with a quiet tone beneath, as a drum over a pad.
        for (double t = 0.21; t < 5.7; t += 0.31 + 0.17 * random.nextDouble()) {
            times.add(t);
            int at = (int) Math.round(t * RATE);
            for (int i = 0; i < 0.06 * RATE && at + i < x.length; i++) {
                x[at + i] += (float) ((random.nextDouble() * 2 - 1) * Math.exp(-i / (0.012 * RATE)));
            }
        }
        for (int i = 0; i < x.length; i++) {
            x[i] += (float) (0.05 * Math.sin(2 * Math.PI * 220 * i / RATE));
        }
        float[] y = TimeStretch.stretch(x, ratio, (int) Math.round(x.length * ratio), RATE);
        List<Double> found = onsets(y);
        assertEquals(times.size(), found.size(), "hits found " + found + " for " + times);
        for (int k = 0; k < times.size(); k++) {
            // A frame that holds a hit near its end lays it down early by up to (ratio - 1) frames, faintly.
            double reach = TimeStretch.SEARCH_SECONDS + Math.abs(ratio - 1) * TimeStretch.FRAME_SECONDS + 0.004;
            assertEquals(times.get(k) * ratio, found.get(k), reach, "hit " + k + " at ratio " + ratio);
        }
    }

    @Test
    void ratioOneIsTheInputAndLengthsAreAsAsked() {
        float[] x = new float[1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.37);
        }
        assertArrayEquals(java.util.Arrays.copyOf(x, 900), TimeStretch.stretch(x, 1, 900, RATE));
        assertEquals(1777, TimeStretch.stretch(x, 1.3, 1777, RATE).length);
        assertEquals(0, TimeStretch.stretch(new float[0], 1.3, 0, RATE).length);
        assertThrows(IllegalArgumentException.class, () -> TimeStretch.stretch(x, 5, 10, RATE));
        assertThrows(IllegalArgumentException.class, () -> TimeStretch.stretch(x, Double.NaN, 10, RATE));
    }

    /** Starts of hits: where the 2 ms energy first rises above a tenth of the loudest, after 80 ms of quiet. */
    private static List<Double> onsets(float[] y) {
        int hop = RATE / 500;
        double[] e = new double[y.length / hop];
        double max = 0;
        for (int f = 0; f < e.length; f++) {
            for (int i = f * hop; i < (f + 1) * hop; i++) {
                e[f] += y[i] * y[i];
            }
            max = Math.max(max, e[f]);
        }
        List<Double> at = new ArrayList<>();
        int quiet = 0;
        for (int f = 0; f < e.length; f++) {
            if (e[f] > max / 10 && quiet >= 40) {
                at.add((double) f * hop / RATE);
            }
            quiet = e[f] > max / 10 ? 0 : quiet + 1;
        }
        return at;
    }

    private static double amplitude(float[] y, double freq) {
        int from = y.length / 4;
        int to = 3 * y.length / 4;
        double re = 0;
        double im = 0;
        for (int i = from; i < to; i++) {
            double p = 2 * Math.PI * freq * i / RATE;
            re += y[i] * Math.cos(p);
            im += y[i] * Math.sin(p);
        }
        return 2 * Math.hypot(re, im) / (to - from);
    }
}
