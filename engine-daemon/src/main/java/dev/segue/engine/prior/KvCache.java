package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for one window of a sampling session, written in place by prefill and by
 * DJL's cached steps (the reference re-allocates per token). Layout per layer is (batch, heads, slots,
 * head_dim): a step's keys are a strided view, no copy.
 *
 * <p>Memory follows use: a self-attention layer holds the positions written so far (grown, doubling, up to
 * the window's length, instead of the whole window from the start: a 1b_lyrics window is 7.7 GB per take in
 * fp32), less those its attention will never read again, which the attention drops ({@link #dropBefore}:
 * a row layer keeps its current block, a previous-row layer two blocks); slot 0 of a layer then holds
 * position {@link #base}, and readers index from there. A lyrics layer (type 7) holds only its keys before
 * the key limit; an encoder-decoder layer the encoder's positions. Repeating rows for candidates
 * ({@link #repeatEachRow}) is recorded, not done, until DJL needs the rows: the CPU step kernel takes the
 * layers over ({@link #release}) and repeats them as it converts them, so the repeated fp32 copy never
 * exists. Owns its native memory through its own manager; close it when the session ends.
 */
public final class KvCache implements AutoCloseable {
    /** A growing layer's first size. */
    private static final int MIN_SLOTS = 64;

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    /** Positions each layer holds at most: the window, the lyrics layers' key limit, or the encoder's length. */
    private final int[] maxSlots;
    /** The position each layer's slot 0 holds: positions before it were dropped ({@link #dropBefore}). */
    private final int[] base;
    private final int heads;
    private final int headDim;
    private final int capacity;
    /** Rows the arrays hold; {@link #batch} is that times {@link #repeat}. */
    private int stored;
    private int repeat = 1;
    private int length;
    private boolean released;

    public KvCache(NDManager parent, int layers, int batch, int heads, int capacity, int headDim) {
        this(parent, filled(layers, capacity), batch, heads, capacity, headDim);
    }

    /**
     * A cache whose layer i holds up to {@code layerSlots[i]} positions: the window's length for
     * self-attention, the lyrics encoder's length for an encoder-decoder layer.
     */
    public KvCache(NDManager parent, int[] layerSlots, int batch, int heads, int capacity, int headDim) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layerSlots.length];
        this.values = new NDArray[layerSlots.length];
        this.maxSlots = layerSlots.clone();
        this.base = new int[layerSlots.length];
        this.heads = heads;
        this.headDim = headDim;
        this.capacity = capacity;
        this.stored = batch;
    }

    private static int[] filled(int layers, int capacity) {
        int[] slots = new int[layers];
        java.util.Arrays.fill(slots, capacity);
        return slots;
    }

    public int length() {
        return length;
    }

    /** Rows of the cache, candidates included. */
    public int batch() {
        return stored * repeat;
    }

    /** Rows the arrays hold before the pending {@link #repeatEachRow}. */
    int storedRows() {
        return stored;
    }

    int layers() {
        return keys.length;
    }

    NDArray keys(int layer) {
        materialize();
        return keys[layer];
    }

    NDArray values(int layer) {
        materialize();
        return values[layer];
    }

    /** The position slot 0 of layer {@code layer} holds. */
    int base(int layer) {
        return base[layer];
    }

    /** Positions layer {@code layer} holds room for now (0 if never written), from {@link #base}. */
    int allocatedSlots(int layer) {
        return keys[layer] == null ? 0 : (int) keys[layer].getShape().get(2);
    }

    /** Writes one layer's keys/values (batch, heads, count, head_dim) at positions [start, start + count). */
    void write(int layer, int start, NDArray k, NDArray v) {
        materialize();
        int count = (int) k.getShape().get(2);
        if (start < base[layer]) {
            throw new IllegalStateException("layer " + layer + " dropped positions before " + base[layer]
                    + ", asked to write at " + start);
        }
        reserve(layer, start + count);
        NDIndex where = new NDIndex(":, :, {}:{}", start - base[layer], start - base[layer] + count);
        keys[layer].set(where, k);
        values[layer].set(where, v);
    }

    /** Grows layer {@code layer} to hold positions up to {@code end} (exclusive). */
    private void reserve(int layer, int end) {
        if (end > maxSlots[layer]) {
            throw new IllegalStateException("KV cache overflow: layer " + layer + " holds " + maxSlots[layer]
                    + " positions, asked for " + end);
        }
        int slots = end - base[layer];
        int now = allocatedSlots(layer);
        if (slots <= now) {
            return;
        }
        int most = maxSlots[layer] - base[layer];
        int size = maxSlots[layer] != capacity ? most : Math.min(most, Math.max(Math.max(slots, MIN_SLOTS), 2 * now));
        keys[layer] = grown(keys[layer], size);
        values[layer] = grown(values[layer], size);
    }

    private NDArray grown(NDArray old, int size) {
        int now = old == null ? 0 : (int) old.getShape().get(2);
        NDArray more = manager.zeros(new Shape(stored, heads, size - now, headDim), DataType.FLOAT32);
        if (old == null) {
            return more;
        }
        NDArray next = old.concat(more, 2);
        old.close();
        more.close();
        return next;
    }

    /**
     * Layer {@code layer}'s attention will read no position before {@code position} again: the layer lets them
     * go once they are at least half of what it holds (so the kept part it copies is at most as large).
     */
    void dropBefore(int layer, int position) {
        int drop = Math.min(position - base[layer], allocatedSlots(layer));
        if (repeat != 1 || keys[layer] == null || drop < 1 || 2 * drop < allocatedSlots(layer)) {
            return;
        }
        keys[layer] = kept(keys[layer], drop);
        values[layer] = kept(values[layer], drop);
        base[layer] += drop;
    }

    /** A compact copy of {@code old} without its first {@code drop} slots (a slice alone would keep them alive). */
    private NDArray kept(NDArray old, int drop) {
        NDArray next = null;
        if (drop < old.getShape().get(2)) {
            try (NDArray view = old.get(new NDIndex(":, :, {}:", drop))) {
                next = view.duplicate();
            }
            next.attach(manager);
        }
        old.close();
        return next;
    }

    /** Called once all layers hold positions up to {@code newLength}. */
    void advanceTo(int newLength) {
        if (newLength > capacity) {
            throw new IllegalStateException("KV cache overflow: " + newLength + " > " + capacity);
        }
        length = newLength;
    }

    /**
     * Repeats each row {@code times} times (row i's copies become rows i*times ..), after a prime prefill
     * shared by candidates: the prime is computed once per row, never recomputed per candidate. Recorded
     * here and done when DJL next reads or writes the cache; the CPU step kernel repeats while it converts.
     */
    public void repeatEachRow(int times) {
        if (times < 1) {
            throw new IllegalArgumentException("rows must be repeated at least once, got " + times);
        }
        repeat *= times;
    }

    private void materialize() {
        if (released) {
            throw new IllegalStateException("this cache was handed to the CPU step kernel");
        }
        if (repeat == 1) {
            return;
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == null) {
                continue;
            }
            NDArray k = keys[i].repeat(0, repeat);
            NDArray v = values[i].repeat(0, repeat);
            keys[i].close();
            values[i].close();
            keys[i] = k;
            values[i] = v;
        }
        stored *= repeat;
        repeat = 1;
    }

    /**
     * Hands layer {@code layer}'s arrays (stored rows, heads, {@link #allocatedSlots}, head_dim; slot 0 holding
     * position {@link #base}) to the caller, who closes them, or null if the layer was never written. After this the cache serves no
     * further DJL forward: its content has moved to the CPU step kernel's own cache.
     */
    NDArray[] release(int layer) {
        released = true;
        NDArray[] out = keys[layer] == null ? null : new NDArray[] {keys[layer], values[layer]};
        keys[layer] = null;
        values[layer] = null;
        return out;
    }

    /** Repeat still pending: each stored row stands for this many rows of {@link #batch}. */
    int pendingRepeat() {
        return repeat;
    }

    /**
     * Drops the first {@code positions} positions of every self-attention layer and moves the rest to the
     * front (see {@link StepSession#shift}); encoder-decoder layers keep the encoder's positions.
     */
    void shift(int positions) {
        materialize();
        if (positions < 0 || positions > length) {
            throw new IllegalArgumentException("cannot drop " + positions + " of " + length + " cached positions");
        }
        for (int i = 0; i < keys.length; i++) {
            if (maxSlots[i] != capacity) {
                continue; // encoder states and lyric keys do not move with the window
            }
            if (base[i] >= positions) {
                base[i] -= positions; // every position the layer holds moves down; slots stay
                continue;
            }
            int drop = positions - base[i];
            base[i] = 0;
            if (keys[i] == null) {
                continue;
            }
            if (drop >= allocatedSlots(i)) {
                keys[i].close();
                values[i].close();
                keys[i] = null;
                values[i] = null;
                continue;
            }
            keys[i] = shifted(keys[i], drop);
            values[i] = shifted(values[i], drop);
        }
        length -= positions;
    }

    private NDArray shifted(NDArray old, int positions) {
        Shape shape = old.getShape();
        NDArray next;
        try (NDArray kept = old.get(new NDIndex(":, :, {}:", positions));
             NDArray zeros = manager.zeros(new Shape(shape.get(0), shape.get(1), positions, shape.get(3)),
                     DataType.FLOAT32)) {
            next = kept.concat(zeros, 2);
        }
        next.attach(manager);
        old.close();
        return next;
    }

    @Override
    public void close() {
        manager.close();
    }
}
