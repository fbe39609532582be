package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.core.Linear;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.WeightLoader;

/**
 * Jukebox's {@code Conv1D}: a dense layer whose weight is stored (in, out), the transpose of
 * {@code nn.Linear}. The published top prior stores these weights as fp16. Held in fp32 (the loader's
 * format says which), they are upcast on load, which is what the reference's {@code w.type_as(x)} does for
 * float activations; held in half precision, they are one {@link HalfMatrix} that the CPU step kernel reads
 * directly and {@link #forward} widens to fp32 for the one product that needs it.
 */
public final class JukeboxLinear {
    /** (out, in), transposed once at load for inference; null in training mode. */
    private final NDArray weightOutIn;
    /** The stored (in, out) parameter, kept in training mode so gradients reach it; else null. */
    private final NDArray weightInOut;
    /** The weights in half precision, read by both paths; null when held in fp32. */
    private final HalfMatrix half;
    private final NDArray bias;
    private final int in;
    private final int out;

    public JukeboxLinear(WeightLoader w, int in, int out) {
        this(w, in, out, 0, 1f);
    }

    /**
     * As above, with the first {@code scaledColumns} outputs multiplied by {@code scale} at load time: the
     * attention folds its q.k scale into the query projection so no step pays for a separate multiply.
     */
    public JukeboxLinear(WeightLoader w, int in, int out, int scaledColumns, float scale) {
        this.in = in;
        this.out = out;
        TensorEntry entry = w.entry("w", in, out);
        if (w.held(entry.dtype()) != DType.F32) {
            // Half precision: the scale multiplies each product, not the stored weights (no second rounding);
            // the bias is fp32 and scaled here exactly as the fp32 path scales it.
            NDArray storedBias = w.floats("b", out);
            float[] factors = null;
            if (scaledColumns > 0 && scale != 1f) {
                factors = new float[out];
                java.util.Arrays.fill(factors, 1f);
                java.util.Arrays.fill(factors, 0, scaledColumns, scale);
                NDArray f = storedBias.getManager().create(factors);
                NDArray scaledBias = storedBias.mul(f);
                storedBias.close();
                f.close();
                storedBias = scaledBias;
            }
            this.bias = storedBias;
            this.half = HalfMatrix.from(w, entry, false, in, out, storedBias.toFloatArray(), factors);
            this.weightInOut = null;
            this.weightOutIn = null;
            return;
        }
        this.half = null;
        NDArray stored = w.floats("w", in, out);
        NDArray storedBias = w.floats("b", out);
        if (w.training()) {
            if (scaledColumns > 0 && scale != 1f) {
                throw new IllegalArgumentException("training keeps weights as stored: apply the scale in the forward");
            }
            this.weightInOut = stored;
            this.weightOutIn = null;
            this.bias = storedBias;
            return;
        }
        this.weightInOut = null;
        if (scaledColumns > 0 && scale != 1f) {
            float[] factors = new float[out];
            java.util.Arrays.fill(factors, 1f);
            java.util.Arrays.fill(factors, 0, scaledColumns, scale);
            NDArray f = stored.getManager().create(factors);
            NDArray scaled = stored.mul(f);
            NDArray scaledBias = storedBias.mul(f);
            stored.close();
            storedBias.close();
            f.close();
            stored = scaled;
            storedBias = scaledBias;
        }
        // Transposed once at load so each call is one fused addmm with no per-call copy.
        this.weightOutIn = stored.transpose().duplicate();
        stored.close();
        this.bias = storedBias;
    }

    public NDArray forward(NDArray x) {
        if (half != null) {
            try (NDManager scope = x.getManager().newSubManager()) {
                // The product belongs to x's manager; the widened weight goes with the scope.
                NDArray y = x.matMul(half.widenedInByOut(scope));
                return bias == null ? y : y.add(bias);
            }
        }
        if (weightOutIn == null) {
            NDArray t = weightInOut.transpose();
            t.attach(x.getManager());
            return Linear.linear(x, t, bias).singletonOrThrow();
        }
        return Linear.linear(x, weightOutIn, bias).singletonOrThrow();
    }

    /** The same weights and bias as the CPU step kernel reads them: the shared half matrix, or an fp32 copy. */
    public StepMatrix toStepMatrix() {
        if (half != null) {
            return half;
        }
        if (weightOutIn == null) {
            throw new IllegalStateException("a layer built for training has no CPU step layout");
        }
        return new BlockedMatrix(weightOutIn.toFloatArray(), bias.toFloatArray(), in, out);
    }

    /** Bytes of weights one call reads: what bounds a memory-bound decoding step. */
    public long weightBytes() {
        return half != null ? half.bytes() : 4L * (in * (long) out + out);
    }
}
