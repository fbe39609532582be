package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.nn.JukeboxLinear;

/**
 * One layer's attention. Self-attention under a factorized {@link AttentionPattern}: a single cached step
 * reads exactly the keys its pattern allows (a strided view of the cache); a chunk of several positions
 * attends to the cache suffix it can see through a mask. Both are the same function as the reference's
 * block-reshaped computation, which is what the conformance logits check.
 *
 * <p>Two lyrics variants. Lyrics attention (reference type 7): causal dense attention whose keys stop at
 * {@code keyLimit}, the reference's {@code _prime_len} = (n_tokens / blocks + 1) * blocks; that limit lies
 * past the lyric tokens, so the first few music positions are keys too, exactly as in the reference.
 * Encoder-decoder attention (type 6): {@code c_attn} makes only queries, {@code c_enc_kv} makes keys and
 * values from the lyrics encoder's states once per window (written into this layer's cache slots at the
 * window's first position), and every query sees all of them, unmasked.
 */
final class FactoredAttention {
    private final JukeboxLinear qkv;
    private final JukeboxLinear encoderKv;
    private final JukeboxLinear proj;
    private final AttentionPattern pattern;
    private final int heads;
    private final int state;
    private final int headDim;
    private final int blockCtx;
    private final int keyLimit;
    private final int encoderLength;
    /** The q.k scale when it is applied in the forward (training mode), else 1 (folded into the weights). */
    private final float queryScale;

    FactoredAttention(WeightLoader w, int width, int state, int heads, AttentionPattern pattern, int blockCtx) {
        this(w, width, state, heads, pattern, blockCtx, Integer.MAX_VALUE, 0);
    }

    private FactoredAttention(WeightLoader w, int width, int state, int heads, AttentionPattern pattern, int blockCtx,
                              int keyLimit, int encoderLength) {
        // The reference scales q.k by (1/sqrt(sqrt(d)))^2; folded into the query weights once at load, except
        // in training, where the stored weights must stay as the reference lays them out.
        double s = 1.0 / Math.sqrt(Math.sqrt(state / heads));
        float scale = (float) (s * s);
        boolean crossAttention = encoderLength > 0;
        if (w.training() && (crossAttention || keyLimit != Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("training covers the instrumental priors; lyrics layers are inference only");
        }
        this.queryScale = w.training() ? scale : 1f;
        this.qkv = w.training() ? new JukeboxLinear(w.child("c_attn"), width, 3 * state)
                : new JukeboxLinear(w.child("c_attn"), width, crossAttention ? state : 3 * state, state, scale);
        this.encoderKv = crossAttention ? new JukeboxLinear(w.child("c_enc_kv"), width, 2 * state) : null;
        this.proj = new JukeboxLinear(w.child("c_proj"), state, width);
        this.pattern = pattern;
        this.heads = heads;
        this.state = state;
        this.headDim = state / heads;
        this.blockCtx = blockCtx;
        this.keyLimit = keyLimit;
        this.encoderLength = encoderLength;
    }

    /** Reference type 7: causal dense attention over keys [0, keyLimit) only. */
    static FactoredAttention lyrics(WeightLoader w, int width, int state, int heads, int keyLimit) {
        return new FactoredAttention(w, width, state, heads, AttentionPattern.DENSE, 1, keyLimit, 0);
    }

    /** Reference type 6: queries from the music, keys/values from {@code encoderLength} encoder states. */
    static FactoredAttention encoderDecoder(WeightLoader w, int width, int state, int heads, int encoderLength) {
        return new FactoredAttention(w, width, state, heads, AttentionPattern.DENSE, 1, Integer.MAX_VALUE,
                encoderLength);
    }

    int keyLimit() {
        return keyLimit;
    }

    /** Encoder positions an encoder-decoder layer attends to; 0 for self-attention. */
    int encoderLength() {
        return encoderKv == null ? 0 : encoderLength;
    }

    /**
     * Positions this layer keeps in the cache at most: the encoder states for type 6, the keys before the
     * limit for type 7, else the whole window.
     */
    int cacheLength(int window) {
        return encoderKv != null ? encoderLength : Math.min(window, keyLimit);
    }

    JukeboxLinear qkv() {
        return qkv;
    }

    JukeboxLinear proj() {
        return proj;
    }

    int heads() {
        return heads;
    }

    int blockCtx() {
        return blockCtx;
    }

    AttentionPattern pattern() {
        return pattern;
    }

    /**
     * x (B, c, W) normalised input at positions [start, start + c); writes its keys/values into the cache.
     * {@code encoderStates} (B, n_tokens, W) is read by encoder-decoder layers only, at the window's start.
     */
    NDArray forward(NDArray x, KvCache cache, int layer, int start, NDArray encoderStates) {
        if (queryScale != 1f) {
            throw new IllegalStateException("a prior built for training runs whole windows (forwardWindow)");
        }
        if (encoderKv != null) {
            return proj.forward(crossAttend(x, cache, layer, start, encoderStates));
        }
        long b = x.getShape().get(0);
        int c = (int) x.getShape().get(1);
        NDList parts = qkv.forward(x).split(3, 2);
        NDArray a = c == 1
                ? step(parts, cache, layer, start, b)
                : chunk(parts, cache, layer, start, b, c);
        return proj.forward(a);
    }

    private NDArray step(NDList parts, KvCache cache, int layer, int pos, long b) {
        // With one position, (B, 1, H*dh) and (B, H, 1, dh) share a memory layout: a reshape splits heads.
        Shape split = new Shape(b, heads, 1, headDim);
        NDArray q = parts.get(0).reshape(split);
        if (pos < keyLimit) {
            cache.write(layer, pos, parts.get(1).reshape(split), parts.get(2).reshape(split));
        }
        int[] range = pattern.stepKeys(pos, blockCtx);
        if (range != null && range[1] > keyLimit) {
            range[1] = keyLimit;
        }
        if (range == null) {
            return q.getManager().zeros(new Shape(b, 1, state), DataType.FLOAT32);
        }
        int base = cache.base(layer);
        NDIndex keys = range[2] == 1
                ? new NDIndex(":, :, {}:{}", range[0] - base, range[1] - base)
                : new NDIndex(":, :, {}:{}:{}", range[0] - base, range[1] - base, range[2]);
        NDArray k = cache.keys(layer).get(q.getManager(), keys);
        NDArray v = cache.values(layer).get(q.getManager(), keys);
        NDArray w = q.matMul(k.transpose(0, 1, 3, 2)).softmax(-1);
        NDArray out = w.matMul(v).reshape(b, 1, state);
        cache.dropBefore(layer, pattern.firstKey(pos + 1, blockCtx));
        return out;
    }

    private NDArray chunk(NDList parts, KvCache cache, int layer, int start, long b, int c) {
        Shape split = new Shape(b, c, heads, headDim);
        NDArray q = parts.get(0).reshape(split).transpose(0, 2, 1, 3);
        NDArray kNew = parts.get(1).reshape(split).transpose(0, 2, 1, 3);
        NDArray vNew = parts.get(2).reshape(split).transpose(0, 2, 1, 3);
        if (start + c <= keyLimit) {
            cache.write(layer, start, kNew, vNew);
        } else if (start < keyLimit) { // a lyrics layer keeps only the keys before its limit
            cache.write(layer, start, kNew.get(":, :, :{}", keyLimit - start), vNew.get(":, :, :{}", keyLimit - start));
        }
        int end = Math.min(start + c, keyLimit);
        int first = pattern.firstKey(start, blockCtx);
        int base = cache.base(layer);
        NDIndex visible = new NDIndex(":, :, {}:{}", first - base, end - base);
        NDArray k = cache.keys(layer).get(q.getManager(), visible);
        NDArray v = cache.values(layer).get(q.getManager(), visible);
        int keysSeen = end - first;
        float[] mask = new float[c * keysSeen];
        float[] rowSeesAny = new float[c];
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < keysSeen; j++) {
                boolean ok = pattern.allows(start + i, first + j, blockCtx) && first + j < keyLimit;
                // The reference's w*mask - 1e9*(1-mask): masked scores are exactly -1e9 before softmax.
                mask[i * keysSeen + j] = ok ? 1f : 0f;
                if (ok) {
                    rowSeesAny[i] = 1f;
                }
            }
        }
        NDArray m = q.getManager().create(mask, new Shape(1, 1, c, keysSeen));
        NDArray w = q.matMul(k.transpose(0, 1, 3, 2));
        w = w.mul(m).add(m.sub(1f).mul(1e9f)).softmax(-1);
        NDArray a = w.matMul(v);
        if (pattern == AttentionPattern.PREVIOUS_BLOCK && start < blockCtx) {
            // Queries in the first block see only zero padding in the reference, so their output is zero.
            a = a.mul(q.getManager().create(rowSeesAny, new Shape(1, 1, c, 1)));
        }
        cache.dropBefore(layer, pattern.firstKey(start + c, blockCtx));
        return a.transpose(0, 2, 1, 3).reshape(b, c, state);
    }

    /** An encoder-decoder layer's keys and values, from the encoder states, into its cache slots. */
    void writeEncoderKv(KvCache cache, int layer, NDArray encoderStates) {
        if (encoderStates == null) {
            throw new IllegalArgumentException("this prior's encoder-decoder layers need the lyrics encoder's states");
        }
        long b = encoderStates.getShape().get(0);
        Shape split = new Shape(b, encoderLength, heads, headDim);
        NDList kv = encoderKv.forward(encoderStates).split(2, 2);
        cache.write(layer, 0, kv.get(0).reshape(split).transpose(0, 2, 1, 3),
                kv.get(1).reshape(split).transpose(0, 2, 1, 3));
    }

    /** Encoder-decoder attention: every query sees every encoder position, no mask. */
    private NDArray crossAttend(NDArray x, KvCache cache, int layer, int start, NDArray encoderStates) {
        long b = x.getShape().get(0);
        int c = (int) x.getShape().get(1);
        if (start == 0) {
            writeEncoderKv(cache, layer, encoderStates);
        }
        NDArray q = qkv.forward(x).reshape(new Shape(b, c, heads, headDim)).transpose(0, 2, 1, 3);
        NDIndex all = new NDIndex(":, :, 0:{}", encoderLength);
        NDArray k = cache.keys(layer).get(q.getManager(), all);
        NDArray v = cache.values(layer).get(q.getManager(), all);
        NDArray w = q.matMul(k.transpose(0, 1, 3, 2)).softmax(-1);
        return w.matMul(v).transpose(0, 2, 1, 3).reshape(b, c, state);
    }

    /**
     * Training forward over whole windows: x (B, n, W) for positions [0, n), n a multiple of the block
     * length, without a cache. Block patterns are computed on the block-reshaped sequence as the reference
     * does (cost n * block length instead of n^2); masked scores are -1e9 exactly as in {@link #chunk}, so
     * this is the same function as the cached path (the training tests check that).
     */
    NDArray forwardWindow(NDArray x) {
        long b = x.getShape().get(0);
        int n = (int) x.getShape().get(1);
        if (pattern != AttentionPattern.DENSE && n % blockCtx != 0) {
            throw new IllegalArgumentException("window of " + n + " is not a multiple of the block length " + blockCtx);
        }
        NDList parts = qkv.forward(x).split(3, 2);
        Shape split = new Shape(b, n, heads, headDim);
        NDArray q = parts.get(0).mul(queryScale).reshape(split).transpose(0, 2, 1, 3);
        NDArray k = parts.get(1).reshape(split).transpose(0, 2, 1, 3);
        NDArray v = parts.get(2).reshape(split).transpose(0, 2, 1, 3);
        int blocks = n / blockCtx;
        Shape blocked = new Shape(b, heads, blocks, blockCtx, headDim);
        NDArray a = switch (pattern) {
            case DENSE -> attend(q, k, v, causalMask(x, n));
            case BLOCK -> attend(q.reshape(blocked), k.reshape(blocked), v.reshape(blocked), causalMask(x, blockCtx))
                    .reshape(b, heads, n, headDim);
            case TRANSPOSE_BLOCK -> attend(q.reshape(blocked).transpose(0, 1, 3, 2, 4),
                    k.reshape(blocked).transpose(0, 1, 3, 2, 4), v.reshape(blocked).transpose(0, 1, 3, 2, 4),
                    causalMask(x, blocks)).transpose(0, 1, 3, 2, 4).reshape(b, heads, n, headDim);
            case PREVIOUS_BLOCK -> {
                // Keys/values of the block before; the first block sees zero padding, giving zero output.
                NDArray pad = x.getManager().zeros(new Shape(b, heads, 1, blockCtx, headDim));
                NDArray kPrev = pad.concat(k.reshape(blocked).get(":, :, :{}", blocks - 1), 2);
                NDArray vPrev = pad.concat(v.reshape(blocked).get(":, :, :{}", blocks - 1), 2);
                yield attend(q.reshape(blocked), kPrev, vPrev, null).reshape(b, heads, n, headDim);
            }
        };
        return proj.forward(a.transpose(0, 2, 1, 3).reshape(b, n, state));
    }

    private static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask) {
        int last = q.getShape().dimension() - 1;
        int[] axes = new int[last + 1];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        axes[last] = last - 1;
        axes[last - 1] = last;
        NDArray w = q.matMul(k.transpose(axes));
        if (mask != null) {
            w = w.mul(mask).add(mask.sub(1f).mul(1e9f));
        }
        return w.softmax(-1).matMul(v);
    }

    /** (len, len) lower-triangular ones, on the activations' manager. */
    private static NDArray causalMask(NDArray like, int len) {
        float[] m = new float[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = 0; j <= i; j++) {
                m[i * len + j] = 1f;
            }
        }
        return like.getManager().create(m, new Shape(len, len));
    }

    long weightBytes() {
        return qkv.weightBytes() + (encoderKv == null ? 0 : encoderKv.weightBytes()) + proj.weightBytes();
    }
}
