package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.segue.engine.checkpoint.WeightLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * Jukebox's {@code DecoderConvBock}: a k=3 conv into the working width, then per down-sampling step a
 * residual stack and a transposed conv that doubles (stride) the time axis. Used by the VQ-VAE decoders
 * and, with its own widths, by the upsamplers' conditioner on the level above.
 */
public final class DecoderConvBlock {
    private record Up(ResConv1dStack res, ConvTranspose1dLayer up) {}

    private final Conv1dLayer in;
    private final List<Up> ups = new ArrayList<>();

    public DecoderConvBlock(WeightLoader w, int inputEmbWidth, int outputEmbWidth, int downT, int strideT, int width,
                            int depth, double mConv, int dilationGrowth, Integer dilationCycle, boolean resScale,
                            boolean reverseDilation) {
        WeightLoader model = w.child("model");
        int filter = strideT * 2;
        int pad = strideT / 2;
        this.in = downT > 0 ? new Conv1dLayer(model.child("0"), outputEmbWidth, width, 3, 1, 1, 1) : null;
        for (int i = 0; i < downT; i++) {
            WeightLoader step = model.child(Integer.toString(i + 1));
            int out = i == downT - 1 ? inputEmbWidth : width;
            ups.add(new Up(
                    new ResConv1dStack(step.child("0"), width, depth, mConv, dilationGrowth, dilationCycle, resScale,
                            reverseDilation),
                    new ConvTranspose1dLayer(step.child("1"), width, out, filter, strideT, pad)));
        }
    }

    public NDArray forward(NDArray x) {
        return forward(x, () -> { });
    }

    /** {@link #forward(NDArray)} with {@code between} run before each residual block (a cancel check). */
    public NDArray forward(NDArray x, Runnable between) {
        if (in == null) {
            return x;
        }
        x = in.forward(x);
        for (Up u : ups) { // every x here is this block's own intermediate
            x = Tensors.consume(Tensors.consume(x, v -> u.res.forward(v, between)), u.up::forward);
        }
        return x;
    }
}
