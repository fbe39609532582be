package dev.segue.engine.eval;

import dev.segue.engine.audio.StereoImage;

/**
 * How closely a take's stereo image follows its prime's: per band ({@link StereoImage#bands}), the difference
 * of the inter-channel correlations, over the bands that carry at least {@link #MIN_BAND_SHARE} of both
 * signals' energy (a band with almost nothing in it has no image to speak of).
 */
public final class StereoAgreement {
    private StereoAgreement() {}

    static final double MIN_BAND_SHARE = 1e-3;
    /** The target: each band's correlation within this of the prime's. */
    public static final double WITHIN = 0.15;

    /** Mean |correlation difference| over the bands compared, and the share of them within {@link #WITHIN}. */
    public record Agreement(double meanAbsDifference, double shareWithin, int bands) {}

    public static Agreement of(StereoImage.Bands prime, StereoImage.Bands take) {
        double primeTotal = sum(prime.energy());
        double takeTotal = sum(take.energy());
        double diff = 0;
        int within = 0;
        int n = 0;
        for (int k = 0; k < prime.energy().length; k++) {
            if (!(prime.energy()[k] > MIN_BAND_SHARE * primeTotal) || !(take.energy()[k] > MIN_BAND_SHARE * takeTotal)
                    || Double.isNaN(prime.correlation()[k]) || Double.isNaN(take.correlation()[k])) {
                continue;
            }
            double d = Math.abs(prime.correlation()[k] - take.correlation()[k]);
            diff += d;
            within += d <= WITHIN ? 1 : 0;
            n++;
        }
        return n == 0 ? new Agreement(Double.NaN, Double.NaN, 0) : new Agreement(diff / n, within / (double) n, n);
    }

    private static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }
}
