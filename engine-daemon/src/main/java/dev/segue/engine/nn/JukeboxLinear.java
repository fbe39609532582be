package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import dev.segue.engine.checkpoint.WeightLoader;

/**
 * Jukebox's {@code Conv1D}: a dense layer whose weight is stored (in, out), the transpose of
 * {@code nn.Linear}. The published top prior stores these weights as fp16; they are upcast on load, which
 * is what the reference's {@code w.type_as(x)} does for float activations.
 */
public final class JukeboxLinear {
    private final NDArray weightOutIn;
    private final NDArray bias;
    private final int in;
    private final int out;

    public JukeboxLinear(WeightLoader w, int in, int out) {
        NDArray stored = w.floats("w", in, out);
        // Transposed once at load so each call is one fused addmm with no per-call copy.
        this.weightOutIn = stored.transpose().duplicate();
        stored.close();
        this.bias = w.floats("b", out);
        this.in = in;
        this.out = out;
    }

    public NDArray forward(NDArray x) {
        return Linear.linear(x, weightOutIn, bias).singletonOrThrow();
    }

    /** Bytes of weights one call reads: what bounds a memory-bound decoding step. */
    public long weightBytes() {
        return 4L * (in * (long) out + out);
    }
}
