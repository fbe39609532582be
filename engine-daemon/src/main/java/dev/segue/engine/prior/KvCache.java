package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for one window of a sampling session, preallocated at the window's full
 * length so each step writes in place instead of concatenating (the reference re-allocates per token).
 * Layout per layer is (batch, heads, n_ctx, head_dim): a step's keys are a strided view, no copy.
 * Owns its native memory through its own manager; close it when the session ends.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int capacity;
    private int batch;
    private int length;

    public KvCache(NDManager parent, int layers, int batch, int heads, int capacity, int headDim) {
        this(parent, filled(layers, capacity), batch, heads, capacity, headDim);
    }

    /**
     * A cache whose layer i holds {@code layerSlots[i]} positions: the window's length for self-attention,
     * the lyrics encoder's length for an encoder-decoder layer.
     */
    public KvCache(NDManager parent, int[] layerSlots, int batch, int heads, int capacity, int headDim) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layerSlots.length];
        this.values = new NDArray[layerSlots.length];
        this.capacity = capacity;
        this.batch = batch;
        for (int i = 0; i < layerSlots.length; i++) {
            Shape shape = new Shape(batch, heads, layerSlots[i], headDim);
            keys[i] = manager.zeros(shape, DataType.FLOAT32);
            values[i] = manager.zeros(shape, DataType.FLOAT32);
        }
    }

    private static int[] filled(int layers, int capacity) {
        int[] slots = new int[layers];
        java.util.Arrays.fill(slots, capacity);
        return slots;
    }

    public int length() {
        return length;
    }

    public int batch() {
        return batch;
    }

    NDArray keys(int layer) {
        return keys[layer];
    }

    NDArray values(int layer) {
        return values[layer];
    }

    /** Writes one layer's keys/values (batch, heads, count, head_dim) at positions [start, start + count). */
    void write(int layer, int start, NDArray k, NDArray v) {
        int count = (int) k.getShape().get(2);
        NDIndex where = new NDIndex(":, :, {}:{}", start, start + count);
        keys[layer].set(where, k);
        values[layer].set(where, v);
    }

    /** Called once all layers hold positions up to {@code newLength}. */
    void advanceTo(int newLength) {
        if (newLength > capacity) {
            throw new IllegalStateException("KV cache overflow: " + newLength + " > " + capacity);
        }
        length = newLength;
    }

    /**
     * Repeats each row {@code times} times in place (row i's copies become rows i*times ..), after a prime
     * prefill shared by candidates: the prime is computed once per row and copied, never recomputed per
     * candidate.
     */
    public void repeatEachRow(int times) {
        if (times < 1) {
            throw new IllegalArgumentException("rows must be repeated at least once, got " + times);
        }
        if (times == 1) {
            return;
        }
        for (int i = 0; i < keys.length; i++) {
            NDArray k = keys[i].repeat(0, times);
            NDArray v = values[i].repeat(0, times);
            keys[i].close();
            values[i].close();
            keys[i] = k;
            values[i] = v;
        }
        batch *= times;
    }

    /**
     * Drops the first {@code positions} positions of every self-attention layer and moves the rest to the
     * front (see {@link StepSession#shift}); encoder-decoder layers keep the encoder's positions.
     */
    void shift(int positions) {
        if (positions < 0 || positions > length) {
            throw new IllegalArgumentException("cannot drop " + positions + " of " + length + " cached positions");
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].getShape().get(2) != capacity) {
                continue;
            }
            keys[i] = shifted(keys[i], positions);
            values[i] = shifted(values[i], positions);
        }
        length -= positions;
    }

    private NDArray shifted(NDArray old, int positions) {
        Shape shape = old.getShape();
        NDArray kept = old.get(new NDIndex(":, :, {}:", positions));
        NDArray next = kept.concat(manager.zeros(new Shape(shape.get(0), shape.get(1), positions, shape.get(3)),
                DataType.FLOAT32), 2);
        old.close();
        return next;
    }

    @Override
    public void close() {
        manager.close();
    }
}
