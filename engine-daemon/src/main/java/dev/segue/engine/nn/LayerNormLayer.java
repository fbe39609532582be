package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import dev.segue.engine.checkpoint.WeightLoader;

/** LayerNorm over the last axis with eps 1e-5, as {@code torch.nn.LayerNorm} defaults. */
public final class LayerNormLayer {
    private final NDArray gamma;
    private final NDArray beta;
    private final Shape normalized;

    public LayerNormLayer(WeightLoader w, int width) {
        this.gamma = w.floats("weight", width);
        this.beta = w.floats("bias", width);
        this.normalized = new Shape(width);
    }

    public NDArray forward(NDArray x) {
        return LayerNorm.layerNorm(x, normalized, gamma, beta, 1e-5f).singletonOrThrow();
    }

    public float[] gammaArray() {
        return gamma.toFloatArray();
    }

    public float[] betaArray() {
        return beta.toFloatArray();
    }

    public long weightBytes() {
        return 8L * normalized.get(0);
    }
}
