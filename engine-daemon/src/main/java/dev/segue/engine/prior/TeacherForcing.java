package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The prior run over tokens that are already known, a chunk of positions at a time, into a key/value cache:
 * position 0 reads the start token and position i reads the known token i - 1, as in training. Prefill before
 * sampling, conformance's teacher-forced logits and the eval's bits per token all run this one loop; a chunk
 * bounds the (queries x keys) score matrix a single forward builds.
 */
public final class TeacherForcing {
    private TeacherForcing() {}

    /** What is done with each chunk's logits (batch, count, bins); they live only for the call. */
    public interface Chunk {
        void logits(int start, int count, NDArray logits);
    }

    /**
     * Runs positions [0, {@code n}) of every row, {@code chunk} at a time. Row {@code i}'s known tokens are
     * {@code rows[i][offset]}, {@code rows[i][offset + 1]}, ...: position {@code p > 0} reads
     * {@code rows[i][offset + p - 1]}.
     */
    public static void run(Prior prior, NDManager m, KvCache cache, Conditioning cond, long[][] rows, int offset,
                           int n, int chunk, Chunk sink) {
        if (chunk < 1) {
            throw new IllegalArgumentException("chunk must be at least 1, got " + chunk);
        }
        int b = rows.length;
        for (int start = 0; start < n; start += chunk) {
            int c = Math.min(chunk, n - start);
            long[] previous = new long[b * c];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < c; j++) {
                    int pos = start + j;
                    previous[i * c + j] = pos == 0 ? 0 : rows[i][offset + pos - 1];
                }
            }
            try (NDManager step = m.newSubManager()) {
                sink.logits(start, c, prior.forward(cache, cond, step.create(previous, new Shape(b, c)), start));
            }
        }
    }
}
