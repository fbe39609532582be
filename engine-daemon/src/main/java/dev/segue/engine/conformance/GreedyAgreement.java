package dev.segue.engine.conformance;

/**
 * Compares a greedy continuation with the reference's. Under a format that keeps every stored weight the
 * tokens must be identical and the path's logits within tolerance everywhere. Under a format that rounds
 * weights (bf16, fp16), two logits closer than the rounding can move them may swap, and after one
 * different token the two paths see different histories and cannot be compared. So each sequence is
 * compared up to its first different token: the path's logits there (computed from the same history as the
 * reference's) must be within the tolerance, and at the first different token the reference's choice must
 * be a near tie in the engine's own logits: at most twice the tolerance below the engine's choice (each of
 * the two logits may have moved by the tolerance).
 */
final class GreedyAgreement {
    private final long[] actual;
    private final long[] expected;
    private final int rows;
    private final int length;
    private final float[] pathLogits;
    private final int bins;
    private final LogitTolerance tol;
    private final boolean rounds;
    /** Positions of the path logits ahead of the compared tokens (a joint sequence's lyric tokens). */
    private final int positionOffset;
    /** Logit index of token 0 (music codes follow the lyric vocabulary in a joint vocabulary). */
    private final int binOffset;
    /** Per row: index of the first different token, or length when none. */
    private final int[] firstDifferent;

    GreedyAgreement(long[] actual, long[] expected, int rows, float[] pathLogits, int bins, LogitTolerance tol,
                    boolean rounds) {
        this(actual, expected, rows, pathLogits, bins, tol, rounds, 0, 0);
    }

    GreedyAgreement(long[] actual, long[] expected, int rows, float[] pathLogits, int bins, LogitTolerance tol,
                    boolean rounds, int positionOffset, int binOffset) {
        this.actual = actual;
        this.expected = expected;
        this.rows = rows;
        this.length = expected.length / rows;
        this.pathLogits = pathLogits;
        this.bins = bins;
        this.tol = tol;
        this.rounds = rounds;
        this.positionOffset = positionOffset;
        this.binOffset = binOffset;
        this.firstDifferent = new int[rows];
        for (int r = 0; r < rows; r++) {
            int t = 0;
            while (t < length && actual.length == expected.length && actual[r * length + t] == expected[r * length + t]) {
                t++;
            }
            firstDifferent[r] = actual.length == expected.length ? t : 0;
        }
    }

    Verdict tokenCheck(String name) {
        double agree = Compare.fractionEqual(actual, expected);
        if (agree == 1.0 || !rounds || pathLogits == null || actual.length != expected.length) {
            return new Verdict(name, agree == 1.0, String.format("identical %.4f%% (need 100%%)", 100 * agree));
        }
        double worstGap = 0;
        int earliest = length;
        for (int r = 0; r < rows; r++) {
            int t = firstDifferent[r];
            if (t == length) {
                continue;
            }
            earliest = Math.min(earliest, t);
            int at = ((r * (positionOffset + length)) + positionOffset + t) * bins;
            double gap = pathLogits[at + binOffset + (int) actual[r * length + t]]
                    - pathLogits[at + binOffset + (int) expected[r * length + t]];
            worstGap = Math.max(worstGap, Math.abs(gap));
        }
        double allowed = 2 * tol.value();
        return new Verdict(name, worstGap <= allowed, String.format("identical up to position %d, where the "
                + "reference's token is %.3e below the engine's (a near tie: need <= 2 x tolerance = %.3e); "
                + "%.2f%% identical in all", earliest, worstGap, allowed, 100 * agree));
    }

    Verdict logitCheck(String name, float[] reference) {
        if (pathLogits == null || pathLogits.length != reference.length) {
            return new Verdict(name, false, "no path logits to compare");
        }
        double max = 0;
        int perRow = positionOffset + length;
        for (int r = 0; r < rows; r++) {
            int last = rounds ? positionOffset + Math.min(firstDifferent[r], length - 1) : perRow - 1;
            for (int p = 0; p <= last; p++) {
                int at = (r * perRow + p) * bins;
                for (int b = 0; b < bins; b++) {
                    double d = Math.abs((double) pathLogits[at + b] - reference[at + b]);
                    max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
                }
            }
        }
        String where = rounds ? " up to each sequence's first different token" : "";
        return new Verdict(name, max <= tol.value(), String.format("max abs error %.3e%s (%s)", max, where,
                tol.describe()));
    }
}
