package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import dev.segue.engine.checkpoint.WeightLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code torch.nn.ConvTranspose1d}, whose stored weight is (in, out, k). DJL's PyTorch engine has no
 * deconvolution, so this computes the same function with plain convolutions.
 *
 * <p>Inference runs it by phases. Output o = i*stride - padding + k takes x[i] through tap k; write
 * o + padding = q*stride + r, and output o is the sum over j of W[r + j*stride]^T x[q - j]: for each phase r a plain
 * convolution of x with taps r, r + stride, r + 2*stride, ... in reverse order. All phases run as one convolution with
 * stride * out channels and ceil(k / stride) taps (a tap past k is zero), whose rows are then interleaved. That is
 * the transposed convolution's own work; the zero-stuffed form (below) multiplies stride times as much, mostly by zeros.
 *
 * <p>Training keeps the stored parameter so gradients reach it, and uses the zero-stuffed form: the input stuffed
 * with stride - 1 zeros between samples, padded by k - 1 - padding, convolved with the kernel flipped in time and
 * its in/out axes swapped.
 */
public final class ConvTranspose1dLayer {
    /** Inference: the phases' kernel (stride * out, in, taps) and bias, prepared once at load; null in training. */
    private final NDArray phaseWeight;
    private final NDArray phaseBias;
    /** Training: the stored (in, out, k) parameter; else null. */
    private final NDArray storedWeight;
    private final NDArray bias;
    private final int stride;
    private final int kernel;
    private final int padding;
    private final int taps;
    private final int out;

    public ConvTranspose1dLayer(WeightLoader w, int in, int out, int kernel, int stride, int padding) {
        if (padding > kernel - 1) {
            throw new IllegalArgumentException("transposed conv padding " + padding + " exceeds kernel - 1");
        }
        this.stride = stride;
        this.kernel = kernel;
        this.padding = padding;
        this.out = out;
        this.taps = (kernel + stride - 1) / stride;
        NDArray stored = w.floats("weight", in, out, kernel);
        this.bias = w.floats("bias", out);
        if (w.training()) {
            this.storedWeight = stored;
            this.phaseWeight = null;
            this.phaseBias = null;
            return;
        }
        this.storedWeight = null;
        // Phase r's tap m multiplies x[q - (taps - 1 - m)], so it is stored tap r + (taps - 1 - m) * stride.
        List<NDArray> phases = new ArrayList<>();
        List<NDArray> parts = new ArrayList<>();
        for (int r = 0; r < stride; r++) {
            List<NDArray> columns = new ArrayList<>();
            for (int m = 0; m < taps; m++) {
                int k = r + (taps - 1 - m) * stride;
                NDArray column = k < kernel
                        ? Tensors.consume(Tensors.consume(stored.get(":, :, {}", k), NDArray::transpose),
                                v -> v.expandDims(2))
                        : stored.getManager().zeros(new Shape(out, in, 1), DataType.FLOAT32);
                columns.add(column);
            }
            NDArray phase = NDArrays.concat(new NDList(columns), 2);
            phases.add(phase);
            parts.addAll(columns);
        }
        this.phaseWeight = NDArrays.concat(new NDList(phases), 0);
        this.phaseBias = NDArrays.concat(new NDList(Collections.nCopies(stride, bias)), 0);
        for (NDArray a : parts) {
            a.close();
        }
        for (NDArray a : phases) {
            a.close();
        }
        stored.close();
    }

    public NDArray forward(NDArray x) {
        return phaseWeight != null ? phased(x) : stuffed(x);
    }

    /** The phases as one convolution, then interleaved: row q*stride + r of the result is phase r at q. */
    private NDArray phased(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long length = s.get(2);
        long outLength = (length - 1) * stride - 2L * padding + kernel;
        NDArray z = Conv1d.conv1d(x, phaseWeight, phaseBias, new Shape(1), new Shape(taps - 1), new Shape(1), 1)
                .singletonOrThrow(); // (n, stride * out, length + taps - 1)
        long q = z.getShape().get(2);
        NDArray interleaved = Tensors.consume(Tensors.consume(Tensors.consume(z, v -> v.reshape(n, stride, out, q)),
                v -> v.transpose(0, 2, 3, 1)), v -> v.reshape(n, out, q * stride)); // the transpose's copy
        return Tensors.consume(interleaved, v -> v.get("..., {}:{}", padding, padding + outLength));
    }

    private NDArray stuffed(NDArray x) {
        NDArray stuffed = x;
        if (stride > 1) { // the temporaries are closed at once: at the published sizes each is tens of MB
            Shape s = x.getShape();
            long n = s.get(0);
            long c = s.get(1);
            long t = s.get(2);
            NDArray zeros = x.getManager().zeros(new Shape(n, c, t, stride - 1), DataType.FLOAT32);
            NDArray column = x.expandDims(3);
            NDArray interleaved = column.concat(zeros, 3);
            column.close();
            zeros.close();
            stuffed = Tensors.consume(Tensors.consume(interleaved, v -> v.reshape(n, c, t * stride)),
                    v -> v.get("..., :{}", (t - 1) * stride + 1));
        }
        // Re-laid out per call from the parameter, on the activations' manager so it is freed with them.
        NDArray kernelFlipped = storedWeight.transpose(1, 0, 2).flip(2);
        kernelFlipped.attach(x.getManager());
        NDArray y = Conv1d.conv1d(stuffed, kernelFlipped, bias, new Shape(1), new Shape(kernel - 1 - padding),
                new Shape(1), 1).singletonOrThrow();
        if (stuffed != x) {
            stuffed.close();
        }
        return y;
    }
}
