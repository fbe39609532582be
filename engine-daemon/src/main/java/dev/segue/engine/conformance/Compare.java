package dev.segue.engine.conformance;

/** Element-wise comparisons used by conformance checks. */
final class Compare {
    private Compare() {}

    static double maxAbsError(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    static double fractionEqual(long[] actual, long[] expected) {
        if (actual.length != expected.length || actual.length == 0) {
            return 0;
        }
        long same = 0;
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] == expected[i]) {
                same++;
            }
        }
        return (double) same / actual.length;
    }

    static long[][] rows(long[] flat, int rows) {
        int w = flat.length / rows;
        long[][] out = new long[rows][w];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * w, out[i], 0, w);
        }
        return out;
    }

    static long[] flatten(long[][] rows) {
        int w = rows[0].length;
        long[] out = new long[rows.length * w];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * w, w);
        }
        return out;
    }
}
