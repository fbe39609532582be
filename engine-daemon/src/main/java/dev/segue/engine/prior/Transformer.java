package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.config.PriorConfig;
import java.util.ArrayList;
import java.util.List;

/** The stack of attention blocks, patterns cycling per layer as {@code attn_order} says. */
final class Transformer {
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final PriorConfig config;

    Transformer(WeightLoader w, PriorConfig config) {
        this.config = config;
        float resScale = config.resScale() ? 1.0f / config.depth() : 1.0f;
        for (int d = 0; d < config.depth(); d++) {
            AttentionPattern pattern = AttentionPattern.forLayer(config.attnOrder(), d);
            if (pattern != AttentionPattern.DENSE && config.blocks() == null) {
                throw new dev.segue.engine.config.ConfigException("prior level " + config.level()
                        + ": attn_order " + config.attnOrder() + " needs 'blocks'");
            }
            blocks.add(new TransformerBlock(w.child("_attn_mods." + d), config.width(), config.attnState(),
                    config.mlpState(), config.heads(), pattern, config.blockCtx(), resScale));
        }
    }

    NDArray forward(NDArray x, KvCache cache, int start) {
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(x, cache, i, start);
        }
        cache.advanceTo(start + (int) x.getShape().get(1));
        return x;
    }

    /** Training forward over whole windows from position 0, without a cache. */
    NDArray forwardWindow(NDArray x) {
        for (TransformerBlock block : blocks) {
            x = block.forwardWindow(x);
        }
        return x;
    }

    List<CpuStepKernel.Layer> toKernelLayers() {
        List<CpuStepKernel.Layer> out = new ArrayList<>();
        for (TransformerBlock b : blocks) {
            out.add(b.toKernelLayer());
        }
        return out;
    }

    int layers() {
        return blocks.size();
    }

    int headDim() {
        return config.attnState() / config.heads();
    }

    long weightBytes() {
        long total = 0;
        for (TransformerBlock b : blocks) {
            total += b.weightBytes();
        }
        return total;
    }
}
