package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.nn.DecoderConvBlock;
import dev.segue.engine.nn.Embeddings;
import dev.segue.engine.nn.LayerNormLayer;

/**
 * The upsamplers' conditioning on the level above: embed its codes, upsample them by a decoder-style conv
 * stack to this level's rate, then layer-normalise. The result is added to every token's input and output.
 */
final class UpperLevelConditioner {
    private final NDArray codeEmb;
    private final DecoderConvBlock upsample;
    private final LayerNormLayer norm;

    UpperLevelConditioner(WeightLoader w, PriorConfig config, int bins, int downT, int strideT) {
        int width = config.width();
        this.codeEmb = w.floats("x_emb.weight", bins, width);
        this.upsample = new DecoderConvBlock(w.child("cond"), width, width, downT, strideT, config.condWidth(),
                config.condDepth(), config.condMConv(), config.condDilationGrowthRate(), config.condDilationCycle(),
                config.condResScale(), false);
        this.norm = new LayerNormLayer(w.child("ln"), width);
    }

    /** (B, Tc) int64 codes of the level above to (B, Tc * down, W). */
    NDArray forward(NDArray upperCodes) {
        NDArray x = Embeddings.lookup(codeEmb, upperCodes).transpose(0, 2, 1);
        return norm.forward(upsample.forward(x).transpose(0, 2, 1));
    }
}
