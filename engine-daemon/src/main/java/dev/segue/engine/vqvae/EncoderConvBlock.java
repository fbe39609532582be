package dev.segue.engine.vqvae;

import ai.djl.ndarray.NDArray;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.nn.Conv1dLayer;
import dev.segue.engine.nn.ResConv1dStack;
import dev.segue.engine.nn.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * One level's down-sampling block: per step a strided conv (filter 2*stride, pad stride/2) and a residual
 * stack, then a k=3 conv out to the embedding width.
 */
final class EncoderConvBlock {
    private record Down(Conv1dLayer conv, ResConv1dStack res) {}

    private final List<Down> downs = new ArrayList<>();
    private final Conv1dLayer out;

    EncoderConvBlock(WeightLoader w, int inputEmbWidth, int outputEmbWidth, int downT, int strideT, int width,
                     int depth, double mConv, int dilationGrowth, Integer dilationCycle) {
        WeightLoader model = w.child("model");
        for (int i = 0; i < downT; i++) {
            WeightLoader step = model.child(Integer.toString(i));
            downs.add(new Down(
                    new Conv1dLayer(step.child("0"), i == 0 ? inputEmbWidth : width, width, strideT * 2, strideT,
                            strideT / 2, 1),
                    new ResConv1dStack(step.child("1"), width, depth, mConv, dilationGrowth, dilationCycle, false,
                            false)));
        }
        this.out = downT > 0 ? new Conv1dLayer(model.child(Integer.toString(downT)), width, outputEmbWidth, 3, 1, 1, 1)
                : null;
    }

    /** The block's output; {@code between} runs before each residual block (a cancel check). */
    NDArray forward(NDArray x, Runnable between) {
        if (out == null) {
            return x;
        }
        NDArray h = downs.get(0).conv.forward(x); // the input stays the caller's; every h is this block's own
        for (int i = 0; i < downs.size(); i++) {
            Down d = downs.get(i);
            h = Tensors.consume(h, v -> d.res.forward(v, between));
            if (i + 1 < downs.size()) {
                h = Tensors.consume(h, downs.get(i + 1).conv::forward);
            }
        }
        return Tensors.consume(h, out::forward);
    }
}
