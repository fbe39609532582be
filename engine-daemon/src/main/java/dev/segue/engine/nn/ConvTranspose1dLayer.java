package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import dev.segue.engine.checkpoint.WeightLoader;

/**
 * {@code torch.nn.ConvTranspose1d}, whose stored weight is (in, out, k). DJL's PyTorch engine has no
 * deconvolution, so this computes the same function as a plain convolution: the input is zero-stuffed to
 * stride 1, padded by k - 1 - padding, and convolved with the kernel flipped in time and with its
 * in/out axes swapped.
 */
public final class ConvTranspose1dLayer {
    /** The equivalent plain-conv kernel, prepared once at load (inference); null in training mode. */
    private final NDArray convWeight;
    /** The stored (in, out, k) parameter, kept in training mode so gradients reach it; else null. */
    private final NDArray storedWeight;
    private final NDArray bias;
    private final int stride;
    private final Shape convPadding;

    public ConvTranspose1dLayer(WeightLoader w, int in, int out, int kernel, int stride, int padding) {
        if (padding > kernel - 1) {
            throw new IllegalArgumentException("transposed conv padding " + padding + " exceeds kernel - 1");
        }
        NDArray stored = w.floats("weight", in, out, kernel);
        if (w.training()) {
            this.storedWeight = stored;
            this.convWeight = null;
        } else {
            this.storedWeight = null;
            this.convWeight = stored.transpose(1, 0, 2).flip(2).duplicate();
            stored.close();
        }
        this.bias = w.floats("bias", out);
        this.stride = stride;
        this.convPadding = new Shape(kernel - 1 - padding);
    }

    public NDArray forward(NDArray x) {
        NDArray stuffed = x;
        if (stride > 1) {
            Shape s = x.getShape();
            long n = s.get(0);
            long c = s.get(1);
            long t = s.get(2);
            NDArray zeros = x.getManager().zeros(new Shape(n, c, t, stride - 1), DataType.FLOAT32);
            stuffed = x.expandDims(3).concat(zeros, 3).reshape(n, c, t * stride)
                    .get("..., :{}", (t - 1) * stride + 1);
        }
        NDArray kernel = convWeight;
        if (kernel == null) {
            // Re-laid out per call from the parameter, on the activations' manager so it is freed with them.
            kernel = storedWeight.transpose(1, 0, 2).flip(2);
            kernel.attach(x.getManager());
        }
        return Conv1d.conv1d(stuffed, kernel, bias, new Shape(1), convPadding, new Shape(1), 1)
                .singletonOrThrow();
    }
}
