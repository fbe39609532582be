package dev.segue.engine.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The resampler's quality, measured: sines well inside the passband keep their amplitude and frequency;
 * sines above the output's Nyquist frequency are removed instead of aliasing back into the band.
 */
class ResamplerTest {
    private static float[] sine(double freq, int rate, int length, double amplitude) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * freq * i / rate));
        }
        return x;
    }

    /** Amplitude of {@code freq} in the middle of {@code y} (edges excluded), by correlation. */
    private static double amplitudeAt(float[] y, double freq, int rate) {
        int from = y.length / 4;
        int to = 3 * y.length / 4;
        double re = 0;
        double im = 0;
        for (int i = from; i < to; i++) {
            double p = 2 * Math.PI * freq * i / rate;
            re += y[i] * Math.cos(p);
            im += y[i] * Math.sin(p);
        }
        return 2 * Math.hypot(re, im) / (to - from);
    }

    private static double rms(float[] y) {
        int from = y.length / 4;
        int to = 3 * y.length / 4;
        double s = 0;
        for (int i = from; i < to; i++) {
            s += (double) y[i] * y[i];
        }
        return Math.sqrt(s / (to - from));
    }

    @ParameterizedTest(name = "{0} Hz -> {1} Hz")
    @CsvSource({"48000, 44100", "44100, 48000", "96000, 44100", "44100, 96000", "88200, 44100", "22050, 44100"})
    void passbandSinesKeepTheirAmplitudeAndFrequency(int in, int out) {
        int length = in; // one second
        double top = 0.4 * Math.min(in, out); // up to 80% of the lower Nyquist frequency
        for (double f : new double[] {50, 440, 3000, top}) {
            float[] y = Resampler.resample(sine(f, in, length, 0.5), in, out, Resampler.convertedLength(length, in, out));
            double amplitude = amplitudeAt(y, f, out);
            double errorDb = 20 * Math.log10(amplitude / 0.5);
            assertTrue(Math.abs(errorDb) < 0.05, f + " Hz: passband error " + errorDb + " dB");
            // Everything else in the output is at least 70 dB below the tone.
            double residual = Math.sqrt(Math.max(0, rms(y) * rms(y) - amplitude * amplitude / 2));
            assertTrue(20 * Math.log10(residual / amplitude) < -70, f + " Hz: residual "
                    + 20 * Math.log10(residual / amplitude) + " dB");
        }
    }

    @ParameterizedTest(name = "{0} Hz -> {1} Hz")
    @CsvSource({"48000, 44100", "96000, 44100", "88200, 44100", "192000, 48000"})
    void contentAboveTheNewNyquistIsRemovedNotAliased(int in, int out) {
        int length = in;
        for (double f : new double[] {0.52 * out, 0.6 * out, 0.8 * out, 0.49 * in}) {
            if (f <= out / 2.0 || f >= in / 2.0) {
                continue; // only content the output cannot represent, and the input can
            }
            float[] y = Resampler.resample(sine(f, in, length, 0.5), in, out, Resampler.convertedLength(length, in, out));
            double leftDb = 20 * Math.log10(rms(y) / (0.5 / Math.sqrt(2)));
            assertTrue(leftDb < -60, f + " Hz above the " + out / 2 + " Hz Nyquist: " + leftDb + " dB left");
        }
    }

    @ParameterizedTest(name = "{0} Hz -> {1} Hz")
    @CsvSource({"48000, 44100", "44100, 48000"})
    void lengthsAreWhatWasAskedAndTimeZeroStaysPut(int in, int out) {
        float[] impulse = new float[4000];
        impulse[0] = 1f;
        float[] y = Resampler.resample(impulse, in, out, 1234);
        assertEquals(1234, y.length);
        int peak = 0;
        for (int i = 1; i < y.length; i++) {
            if (Math.abs(y[i]) > Math.abs(y[peak])) {
                peak = i;
            }
        }
        assertEquals(0, peak, "an impulse at time zero stays at time zero");
        float[] same = {1f, 2f, 3f};
        assertArrayEquals(new float[] {1f, 2f, 3f, 0f}, Resampler.resample(same, 44100, 44100, 4));
    }

    /**
     * A job's cancel check runs between blocks of a long conversion, and what it throws stops the conversion:
     * 8 s at 48 kHz to 16 kHz is 128,000 output samples, so about 32 blocks; the output is the same with or
     * without the check.
     */
    @Test
    void betweenRunsPerBlockAndCanStopTheConversion() {
        float[] x = new float[8 * 48000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.01);
        }
        int length = Resampler.convertedLength(x.length, 48000, 16000);
        AtomicInteger calls = new AtomicInteger();
        float[] checked = Resampler.resample(x, 48000, 16000, length, calls::incrementAndGet);
        assertEquals((length + 4095) / 4096, calls.get(), "one check per block of 4096 output samples");
        assertArrayEquals(Resampler.resample(x, 48000, 16000, length), checked);
        AtomicInteger before = new AtomicInteger();
        IllegalStateException stop = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Resampler.resample(x, 48000, 16000, length, () -> {
                    if (before.incrementAndGet() == 3) {
                        throw new IllegalStateException("cancelled");
                    }
                }));
        assertEquals("cancelled", stop.getMessage());
        assertEquals(3, before.get(), "nothing runs after the check that stopped it");
    }
}
