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

    private static final Runnable NOTHING = () -> { };

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

    /**
     * Each intermediate is closed as soon as the next op has read it, as the reference's reference counting frees
     * it: at the published VQ-VAE's widths an activation is tens of MB, and holding them all until the caller's
     * scope closes makes every op fault in fresh pages (twice the wall time of the 5b encoder). The input belongs
     * to the caller and stays open.
     */
    public NDArray forward(NDArray x) {
        return forward(x, NOTHING);
    }

    /** {@link #forward(NDArray)} with {@code between} run before each residual block: a caller's cancel check. */
    public NDArray forward(NDArray x, Runnable between) {
        NDArray input = x;
        for (Block block : blocks) {
            between.run();
            NDArray h = Tensors.consume(Activation.relu(x), block.dilated::forward);
            h = Tensors.consume(h, Activation::relu);
            h = Tensors.consume(h, block.pointwise::forward);
            if (resScale != 1.0f) {
                h.muli(resScale);
            }
            h.addi(x); // h + x is x + h bit for bit; in place, one fresh activation fewer per block
            if (x != input) {
                x.close();
            }
            x = h;
        }
        return x;
    }
}
