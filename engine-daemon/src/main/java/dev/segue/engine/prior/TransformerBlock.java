package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.nn.JukeboxLinear;
import dev.segue.engine.nn.LayerNormLayer;

/**
 * Jukebox's {@code ResAttnBlock}: a = attn(ln_0(x)); m = mlp(ln_1(x + a)); x + a + m (scaled when
 * res_scale is set). The MLP uses quick-GELU, x * sigmoid(1.702 x).
 */
final class TransformerBlock {
    private final LayerNormLayer ln0;
    private final FactoredAttention attention;
    private final LayerNormLayer ln1;
    private final JukeboxLinear fc;
    private final JukeboxLinear fcProj;
    private final float resScale;

    /** {@code attention} is built by the caller from {@code w.child("attn")}: its kind depends on the layer. */
    TransformerBlock(WeightLoader w, int width, int mlpState, FactoredAttention attention, float resScale) {
        this.ln0 = new LayerNormLayer(w.child("ln_0"), width);
        this.attention = attention;
        this.ln1 = new LayerNormLayer(w.child("ln_1"), width);
        this.fc = new JukeboxLinear(w.child("mlp.c_fc"), width, mlpState);
        this.fcProj = new JukeboxLinear(w.child("mlp.c_proj"), mlpState, width);
        this.resScale = resScale;
    }

    NDArray forward(NDArray x, KvCache cache, int layer, int start, NDArray encoderStates) {
        return residual(x, attention.forward(ln0.forward(x), cache, layer, start, encoderStates));
    }

    /** Training forward over whole windows from position 0, without a cache. */
    NDArray forwardWindow(NDArray x) {
        return residual(x, attention.forwardWindow(ln0.forward(x)));
    }

    private NDArray residual(NDArray x, NDArray a) {
        NDArray xa = x.add(a);
        NDArray h = fc.forward(ln1.forward(xa));
        NDArray m = fcProj.forward(h.mul(Activation.sigmoid(h.mul(1.702f))));
        return resScale == 1.0f ? xa.add(m) : x.add(a.add(m).mul(resScale));
    }

    /** This block's parameters for the CPU step kernel: small ones as arrays, matrices as the kernel reads them. */
    CpuStepKernel.Layer toKernelLayer() {
        return new CpuStepKernel.Layer(ln0.gammaArray(), ln0.betaArray(), attention.qkv().toStepMatrix(),
                attention.proj().toStepMatrix(), ln1.gammaArray(), ln1.betaArray(), fc.toStepMatrix(), fcProj.toStepMatrix(),
                attention.pattern(), attention.heads(), attention.blockCtx(), resScale, attention.keyLimit(),
                attention.encoderLength());
    }

    FactoredAttention attention() {
        return attention;
    }

    long weightBytes() {
        return ln0.weightBytes() + attention.weightBytes() + ln1.weightBytes() + fc.weightBytes()
                + fcProj.weightBytes();
    }
}
