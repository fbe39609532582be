package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import dev.segue.engine.checkpoint.WeightLoader;

/** {@code torch.nn.Conv1d} on (N, C, T) activations, with the reference's weight layout (out, in, k). */
public final class Conv1dLayer {
    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;
    private final Shape dilation;

    public Conv1dLayer(WeightLoader w, int in, int out, int kernel, int stride, int padding, int dilation) {
        this.weight = w.floats("weight", out, in, kernel);
        this.bias = w.floats("bias", out);
        this.stride = new Shape(stride);
        this.padding = new Shape(padding);
        this.dilation = new Shape(dilation);
    }

    public NDArray forward(NDArray x) {
        return Conv1d.conv1d(x, weight, bias, stride, padding, dilation, 1).singletonOrThrow();
    }
}
