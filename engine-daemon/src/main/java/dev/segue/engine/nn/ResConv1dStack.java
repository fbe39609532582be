package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.segue.engine.checkpoint.WeightLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * Jukebox's {@code Resnet1D}: a stack of dilated residual blocks, each ReLU, conv k=3 (dilated), ReLU,
 * conv k=1, added back with an optional 1/sqrt(depth) scale. Dilation grows geometrically, optionally
 * cycling, and the decoder runs the stack in reverse dilation order.
 */
public final class ResConv1dStack {
    private record Block(Conv1dLayer dilated, Conv1dLayer pointwise) {}

    private final List<Block> blocks = new ArrayList<>();
    private final float resScale;

    public ResConv1dStack(WeightLoader w, int channels, int depth, double mConv, int dilationGrowth,
                          Integer dilationCycle, boolean resScale, boolean reverseDilation) {
        int state = (int) (mConv * channels);
        // Checkpointed stacks (checkpoint_res=1) keep their blocks under "blocks" instead of "model".
        WeightLoader list = w.has("model.0.model.1.weight") || !w.has("blocks.0.model.1.weight")
                ? w.child("model") : w.child("blocks");
        int[] dilations = new int[depth];
        for (int d = 0; d < depth; d++) {
            int exponent = dilationCycle == null ? d : d % dilationCycle;
            dilations[d] = (int) Math.round(Math.pow(dilationGrowth, exponent));
        }
        for (int i = 0; i < depth; i++) {
            // The reference builds blocks in growing order and then reverses the list, so stored block i
            // carries the dilation of position depth-1-i.
            int dilation = reverseDilation ? dilations[depth - 1 - i] : dilations[i];
            WeightLoader b = list.child(Integer.toString(i)).child("model");
            blocks.add(new Block(
                    new Conv1dLayer(b.child("1"), channels, state, 3, 1, dilation, dilation),
                    new Conv1dLayer(b.child("3"), state, channels, 1, 1, 0, 1)));
        }
        this.resScale = resScale ? (float) (1.0 / Math.sqrt(depth)) : 1.0f;
    }

    public NDArray forward(NDArray x) {
        for (Block block : blocks) {
            NDArray h = block.pointwise.forward(Activation.relu(block.dilated.forward(Activation.relu(x))));
            x = resScale == 1.0f ? x.add(h) : x.add(h.mul(resScale));
        }
        return x;
    }
}
