package dev.segue.engine.eval;

import dev.segue.engine.analysis.Stft;
import java.util.List;

/**
 * Spectral convergence, as the Jukebox code defines it ({@code jukebox/utils/audio_utils.py},
 * {@code spectral_convergence}): ||S(x) - S(y)||_F / ||S(x)||_F over STFT magnitudes, x the reference.
 * Reported in dB as 20·log10 of that amplitude ratio: 0 dB means the error is as large as the signal,
 * −20 dB a tenth of it. Identical signals give −∞; {@link #FLOOR_DB} caps it for printing.
 */
public final class SpectralConvergence {
    private SpectralConvergence() {}

    /** Jukebox's {@code DefaultSTFTValues}: n_fft 2048, hop 256, window 6 × hop. */
    public static final Stft.Resolution JUKEBOX = new Stft.Resolution(2048, 256, 1536);
    /** Jukebox's multi-resolution spectral loss defaults (multispec_loss_n_fft / hop_length / window_size). */
    public static final List<Stft.Resolution> MULTI_RESOLUTION = List.of(
            new Stft.Resolution(2048, 240, 1200), new Stft.Resolution(1024, 120, 600), new Stft.Resolution(512, 50, 240));
    public static final double FLOOR_DB = -200.0;

    /** The plain ratio at one resolution; both signals are cut to the shorter length. */
    public static double ratio(float[] reference, float[] estimate, Stft.Resolution r) {
        int n = Math.min(reference.length, estimate.length);
        float[][] a = Stft.magnitude(prefix(reference, n), r);
        float[][] b = Stft.magnitude(prefix(estimate, n), r);
        double diff = 0;
        double ref = 0;
        for (int f = 0; f < a.length; f++) {
            for (int k = 0; k < a[f].length; k++) {
                double d = a[f][k] - b[f][k];
                diff += d * d;
                ref += (double) a[f][k] * a[f][k];
            }
        }
        if (ref == 0) {
            throw new IllegalArgumentException("reference is silent: spectral convergence is undefined");
        }
        return Math.sqrt(diff / ref);
    }

    /** Mean of the ratios over the resolutions. */
    public static double ratio(float[] reference, float[] estimate, List<Stft.Resolution> resolutions) {
        double sum = 0;
        for (Stft.Resolution r : resolutions) {
            sum += ratio(reference, estimate, r);
        }
        return sum / resolutions.size();
    }

    public static double toDb(double ratio) {
        return ratio <= 0 ? FLOOR_DB : Math.max(FLOOR_DB, 20 * Math.log10(ratio));
    }

    private static float[] prefix(float[] x, int n) {
        return x.length == n ? x : java.util.Arrays.copyOf(x, n);
    }
}
