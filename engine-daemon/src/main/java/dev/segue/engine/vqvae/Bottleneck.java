package dev.segue.engine.vqvae;

import ai.djl.ndarray.NDArray;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.nn.Embeddings;
import dev.segue.engine.nn.Tensors;

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

    /**
     * (N, emb, T) latents to (N, T) int64 codes. The (N*T, bins) distance matrix is built in one buffer, in place:
     * at the published top rate it is hundreds of MB. -(2 x.k) + |x|^2 is |x|^2 - 2 x.k bit for bit (IEEE
     * subtraction is addition of the negation, and addition commutes), so ties still break as the reference's.
     */
    NDArray encode(NDArray x) {
        long n = x.getShape().get(0);
        long t = x.getShape().get(2);
        NDArray flat = Tensors.consume(x.transpose(0, 2, 1), v -> v.reshape(n * t, embWidth));
        NDArray normSq = Tensors.consume(flat.square(), v -> v.sum(new int[] {1}, true));
        NDArray distance = flat.matMul(codebookT);
        flat.close();
        distance.muli(2).negi().addi(normSq).addi(codebookNormSq);
        normSq.close();
        return Tensors.consume(Tensors.consume(distance, v -> v.argMin(1)), v -> v.reshape(n, t));
    }

    /** (N, T) codes to (N, emb, T) latents. */
    NDArray decode(NDArray codes) {
        long n = codes.getShape().get(0);
        long t = codes.getShape().get(1);
        NDArray flat = codes.reshape(n * t);
        NDArray rows = Embeddings.lookup(codebook, flat);
        flat.close();
        return Tensors.consume(Tensors.consume(rows, v -> v.reshape(n, t, embWidth)), v -> v.transpose(0, 2, 1));
    }
}
