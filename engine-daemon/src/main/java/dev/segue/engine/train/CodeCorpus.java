package dev.segue.engine.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.vqvae.VqVae;
import java.util.ArrayList;
import java.util.List;

/** Training audio turned into one level's codes by the trained VQ-VAE, through the engine's encoder. */
final class CodeCorpus {
    /** Samples encoded per call: bounds the encoder's activations (a few hundred MB at most). */
    private static final int CHUNK_HOPS = 2048;

    private CodeCorpus() {}

    /**
     * Codes of every track (its length cut down to whole hops). Long tracks are encoded in chunks of
     * {@link #CHUNK_HOPS} hops; the encoder's receptive field is a few hops, so only codes at chunk edges
     * can differ slightly from a whole-track encoding.
     */
    static List<long[]> encode(NDManager root, VqVae vqvae, int level, List<float[]> tracks) {
        int hop = vqvae.config().hopLength(level);
        int chunk = CHUNK_HOPS * hop;
        List<long[]> out = new ArrayList<>();
        for (float[] track : tracks) {
            int hops = track.length / hop;
            long[] codes = new long[hops];
            for (int start = 0; start < hops * hop; start += chunk) {
                int len = Math.min(chunk, hops * hop - start);
                float[] part = java.util.Arrays.copyOfRange(track, start, start + len);
                try (NDManager m = root.newSubManager()) {
                    long[] c = vqvae.encode(m.create(part, new Shape(1, len)), level).toLongArray();
                    System.arraycopy(c, 0, codes, start / hop, c.length);
                }
            }
            out.add(codes);
        }
        return out;
    }
}
