package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/** The stack of attention blocks, attention types cycling per layer as {@code attn_order} says. */
final class Transformer {
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final TransformerSpec spec;

    Transformer(WeightLoader w, TransformerSpec spec) {
        this.spec = spec;
        float resScale = spec.resScale() ? 1.0f / spec.depth() : 1.0f;
        for (int d = 0; d < spec.depth(); d++) {
            WeightLoader layer = w.child("_attn_mods." + d);
            blocks.add(new TransformerBlock(layer, spec.width(), spec.mlpState(), attention(layer.child("attn"), d),
                    resScale));
        }
    }

    private FactoredAttention attention(WeightLoader w, int d) {
        int type = AttentionPattern.referenceType(spec.attnOrder(), d);
        if (type == AttentionPattern.ENCODER_DECODER_TYPE) {
            if (spec.encoderLength() == 0) {
                throw new ConfigException(spec.where() + ": attn_order " + spec.attnOrder() + " has encoder-decoder "
                        + "attention at layer " + d + " but the prior has no lyrics encoder (use_tokens, n_tokens)");
            }
            return FactoredAttention.encoderDecoder(w, spec.width(), spec.attnState(), spec.heads(), spec.encoderLength());
        }
        if (type == AttentionPattern.LYRICS_TYPE) {
            if (spec.lyricTokens() == 0 || spec.blocks() == null) {
                throw new ConfigException(spec.where() + ": attn_order " + spec.attnOrder() + " has lyrics attention "
                        + "at layer " + d + ", which needs single_enc_dec with n_tokens > 0 and 'blocks'");
            }
            return FactoredAttention.lyrics(w, spec.width(), spec.attnState(), spec.heads(), spec.lyricsKeyLimit());
        }
        AttentionPattern pattern = AttentionPattern.forLayer(spec.attnOrder(), d);
        if (pattern != AttentionPattern.DENSE && spec.blocks() == null) {
            throw new ConfigException(spec.where() + ": attn_order " + spec.attnOrder() + " needs 'blocks'");
        }
        return new FactoredAttention(w, spec.width(), spec.attnState(), spec.heads(), pattern, spec.blockCtx());
    }

    NDArray forward(NDArray x, KvCache cache, int start) {
        return forward(x, cache, start, null);
    }

    /** {@code encoderStates} (B, n_tokens, W) feeds the encoder-decoder layers; null when there are none. */
    NDArray forward(NDArray x, KvCache cache, int start, NDArray encoderStates) {
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(x, cache, i, start, encoderStates);
        }
        cache.advanceTo(start + (int) x.getShape().get(1));
        return x;
    }

    /**
     * Writes every encoder-decoder layer's keys/values into an empty cache: the CPU step kernel reads them
     * from there, and a window sampled from nothing has no prefill that would have written them.
     */
    void writeEncoderKv(KvCache cache, NDArray encoderStates) {
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).attention().encoderLength() > 0) {
                blocks.get(i).attention().writeEncoderKv(cache, i, encoderStates);
            }
        }
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
        return spec.headDim();
    }

    /** A cache for one window of this stack: encoder-decoder layers keep only the encoder's positions. */
    KvCache newCache(ai.djl.ndarray.NDManager m, int batch) {
        int[] slots = new int[blocks.size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = blocks.get(i).attention().cacheLength(spec.length());
        }
        return new KvCache(m, slots, batch, spec.heads(), spec.length(), spec.headDim());
    }

    long weightBytes() {
        long total = 0;
        for (TransformerBlock b : blocks) {
            total += b.weightBytes();
        }
        return total;
    }
}
