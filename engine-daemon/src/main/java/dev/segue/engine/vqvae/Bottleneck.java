package dev.segue.engine.vqvae;

import ai.djl.ndarray.NDArray;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.nn.Embeddings;

/**
 * One level's codebook: nearest-codebook lookup for encoding and embedding lookup for decoding. The
 * distance is computed as |x|^2 - 2 x.k + |k|^2 in that order, as the reference does, so near-ties
 * break the same way.
 */
final class Bottleneck {
    private final NDArray codebook;        // (bins, emb)
    private final NDArray codebookT;       // (emb, bins)
    private final NDArray codebookNormSq;  // (1, bins)
    private final int embWidth;

    Bottleneck(WeightLoader w, int bins, int embWidth) {
        this.codebook = w.floats("k", bins, embWidth);
        this.codebookT = codebook.transpose().duplicate();
        this.codebookNormSq = codebookT.square().sum(new int[] {0}, true);
        this.embWidth = embWidth;
    }

    /** (N, emb, T) latents to (N, T) int64 codes. */
    NDArray encode(NDArray x) {
        long n = x.getShape().get(0);
        long t = x.getShape().get(2);
        NDArray flat = x.transpose(0, 2, 1).reshape(n * t, embWidth);
        NDArray distance = flat.square().sum(new int[] {1}, true)
                .sub(flat.matMul(codebookT).mul(2))
                .add(codebookNormSq);
        return distance.argMin(1).reshape(n, t);
    }

    /** (N, T) codes to (N, emb, T) latents. */
    NDArray decode(NDArray codes) {
        long n = codes.getShape().get(0);
        long t = codes.getShape().get(1);
        NDArray rows = Embeddings.lookup(codebook, codes.reshape(n * t));
        return rows.reshape(n, t, embWidth).transpose(0, 2, 1);
    }
}
