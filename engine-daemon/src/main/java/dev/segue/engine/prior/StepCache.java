package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.nn.KvRows;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The CPU step kernel's keys and values: one buffer per layer, in the precision the prior's weights are held
 * in (fp32, bf16 or fp16; {@link KvRows}), holding only the positions the layer's attention can still read.
 *
 * <p>What each layer keeps, per sequence (candidate x head), for a window of n_ctx positions in blocks of
 * b (the reference's {@code blocks} splits the window into n_ctx / b of them):
 * <ul>
 *   <li>row attention (within the block): the current block, b slots, position j at slot j mod b;</li>
 *   <li>previous-row attention: the previous and the current block, 2b slots, position j at j mod 2b;</li>
 *   <li>lyrics attention (reference type 7, keys before {@code keyLimit}): keyLimit slots;</li>
 *   <li>encoder-decoder attention: the encoder's positions, fixed;</li>
 *   <li>column attention (same offset in every block) and dense attention: every position so far. These
 *       grow as positions are written (doubling, up to the window), instead of holding n_ctx from the
 *       start; a column layer is stored column by column (position j at (j mod b) x rows + j / b), so a
 *       query's keys are one contiguous run.</li>
 * </ul>
 * A slot range a query reads is therefore contiguous for every kind, except a column layer whose window
 * is not a whole number of blocks, which keeps positions in order and reads every b-th.
 *
 * <p>The memory is a libtorch tensor of the session's manager (off the JVM heap, freed when the session's
 * manager closes, or at once when a layer grows); the kernel reads it through the direct buffer over it.
 */
final class StepCache {
    enum Kind { ROWS, PREVIOUS_ROWS, LIMITED, ENCODER, ALL, ALL_BY_COLUMN }

    /** A growing layer's first size, so short windows do not grow one slot at a time. */
    private static final int MIN_SLOTS = 64;

    private final NDManager manager;
    private final DType format;
    private final int sequences;
    private final int headDim;
    private final int nCtx;
    /** Bytes of one slot: a key row then a value row. */
    private final int slotBytes;
    private final Layer[] layers;

    private static final class Layer {
        final Kind kind;
        final int blockCtx;
        /** Slots per sequence when full: fixed kinds hold this from the start. */
        final int maxSlots;
        /** Slots per sequence allocated now (ALL_BY_COLUMN: rows x blockCtx). */
        int slots;
        /** ALL_BY_COLUMN: positions per column allocated now. */
        int rows;
        NDArray owner;
        ByteBuffer data;

        Layer(Kind kind, int blockCtx, int maxSlots) {
            this.kind = kind;
            this.blockCtx = blockCtx;
            this.maxSlots = maxSlots;
        }
    }

    /** A cache for {@code sequences} (candidates x heads) rows of the kernel's {@code layers}, holding none yet. */
    StepCache(NDManager manager, List<CpuStepKernel.Layer> kernelLayers, int nCtx, int sequences, int headDim,
              DType format) {
        this.manager = manager;
        this.format = format;
        this.sequences = sequences;
        this.headDim = headDim;
        this.nCtx = nCtx;
        this.slotBytes = 2 * headDim * KvRows.bytes(format);
        this.layers = new Layer[kernelLayers.size()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = layerFor(kernelLayers.get(l), nCtx);
        }
    }

    /**
     * Bytes the cache of a whole window takes for {@code rows} sequences (takes, and their guidance twins) of a
     * prior of config {@code c}, held in {@code format}: what one job adds at most to the prior's own memory,
     * known before the prior is loaded. Each layer is sized by the rule a live cache follows ({@link #layerFor}).
     */
    static long windowBytes(PriorConfig c, int rows, DType format) {
        TransformerSpec s = TransformerSpec.decoder(c);
        long slots = 0;
        for (int d = 0; d < s.depth(); d++) {
            int type = AttentionPattern.referenceType(s.attnOrder(), d);
            boolean lyrics = type == AttentionPattern.LYRICS_TYPE;
            boolean encoder = type == AttentionPattern.ENCODER_DECODER_TYPE;
            AttentionPattern pattern = lyrics || encoder ? AttentionPattern.DENSE
                    : AttentionPattern.forLayer(s.attnOrder(), d);
            CpuStepKernel.Layer shape = new CpuStepKernel.Layer(null, null, null, null, null, null, null, null, pattern,
                    s.heads(), s.blockCtx(), 1f, lyrics ? s.lyricsKeyLimit() : Integer.MAX_VALUE,
                    encoder ? s.encoderLength() : 0);
            slots += layerFor(shape, s.length()).maxSlots;
        }
        return slots * rows * s.heads() * 2L * s.headDim() * KvRows.bytes(format);
    }

    private static Layer layerFor(CpuStepKernel.Layer k, int nCtx) {
        if (k.encoderLength() > 0) {
            return new Layer(Kind.ENCODER, 0, k.encoderLength());
        }
        if (k.keyLimit() != Integer.MAX_VALUE) {
            return new Layer(Kind.LIMITED, 0, Math.min(k.keyLimit(), nCtx));
        }
        return switch (k.pattern()) {
            case BLOCK -> new Layer(Kind.ROWS, k.blockCtx(), Math.min(k.blockCtx(), nCtx));
            case PREVIOUS_BLOCK -> new Layer(Kind.PREVIOUS_ROWS, k.blockCtx(), Math.min(2 * k.blockCtx(), nCtx));
            case TRANSPOSE_BLOCK -> k.columnMajor(nCtx) ? new Layer(Kind.ALL_BY_COLUMN, k.blockCtx(), nCtx)
                    : new Layer(Kind.ALL, k.blockCtx(), nCtx);
            case DENSE -> new Layer(Kind.ALL, 0, nCtx);
        };
    }

    DType format() {
        return format;
    }

    Kind kind(int l) {
        return layers[l].kind;
    }

    /** Slots per sequence layer {@code l} would hold at most (its window-long share of the cache). */
    int maxSlots(int l) {
        return layers[l].maxSlots;
    }

    /** Slots per sequence layer {@code l} holds now. */
    int slots(int l) {
        return layers[l].slots;
    }

    /** Bytes held by all layers now. */
    long bytes() {
        long total = 0;
        for (Layer layer : layers) {
            total += (long) layer.slots * sequences * slotBytes;
        }
        return total;
    }

    /** Whether layer {@code l} keeps {@code position} (a lyrics layer keeps only keys before its limit). */
    boolean keeps(int l, int position) {
        Layer layer = layers[l];
        return layer.kind != Kind.LIMITED && layer.kind != Kind.ENCODER || position < layer.maxSlots;
    }

    /** The slot of {@code position} in layer {@code l}. */
    int slot(int l, int position) {
        Layer layer = layers[l];
        return switch (layer.kind) {
            case ROWS -> position % layer.blockCtx;
            case PREVIOUS_ROWS -> position % (2 * layer.blockCtx);
            case ALL_BY_COLUMN -> (position % layer.blockCtx) * layer.rows + position / layer.blockCtx;
            case LIMITED, ENCODER, ALL -> position;
        };
    }

    /**
     * The keys a query at {@code t} reads in layer {@code l}, given as positions {start, stop, step} (from
     * {@link AttentionPattern#stepKeys}), as slots {first slot, count, slot step}.
     */
    int[] slotRange(int l, int[] positions) {
        Layer layer = layers[l];
        int count = (positions[1] - positions[0] + positions[2] - 1) / positions[2];
        int step = layer.kind == Kind.ALL_BY_COLUMN ? 1 : positions[2];
        return new int[] {slot(l, positions[0]), count, step};
    }

    /** Grows layer {@code l} (before the parallel part of a step) so that it can hold {@code position}. */
    void ensure(int l, int position) {
        Layer layer = layers[l];
        if (layer.kind == Kind.ALL_BY_COLUMN) {
            int rowsNeeded = position / layer.blockCtx + 1;
            if (rowsNeeded > layer.rows) {
                int perColumn = layer.maxSlots / layer.blockCtx;
                grow(layer, Math.min(perColumn, Math.max(rowsNeeded, 2 * layer.rows)));
            }
        } else if (layer.kind == Kind.ALL) {
            if (position >= layer.slots) {
                grow(layer, Math.min(layer.maxSlots, Math.max(Math.max(position + 1, MIN_SLOTS), 2 * layer.slots)));
            }
        } else if (layer.data == null) {
            grow(layer, layer.maxSlots);
        }
    }

    /** Reallocates {@code layer} at {@code size} (slots, or rows per column), moving what it holds. */
    private void grow(Layer layer, int size) {
        int slots = layer.kind == Kind.ALL_BY_COLUMN ? size * layer.blockCtx : size;
        long total = (long) slots * sequences * slotBytes;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalStateException("a layer's key/value cache of " + total + " bytes is over the 2 GB one "
                    + "buffer can hold (" + sequences + " candidate-heads x " + slots + " positions)");
        }
        NDArray owner = manager.create(new Shape(total / 2), DataType.FLOAT16); // 16-bit units; never read by libtorch
        ByteBuffer data = owner.toByteBuffer(true);
        if (!data.isDirect() || data.capacity() != total) {
            owner.close();
            throw new IllegalStateException("libtorch did not expose its tensor's memory directly");
        }
        data.order(ByteOrder.LITTLE_ENDIAN);
        if (layer.data != null) {
            for (int s = 0; s < sequences; s++) {
                int from = s * layer.slots * slotBytes;
                int to = s * slots * slotBytes;
                if (layer.kind == Kind.ALL_BY_COLUMN) {
                    for (int col = 0; col < layer.blockCtx; col++) {
                        data.put(to + col * size * slotBytes, layer.data, from + col * layer.rows * slotBytes,
                                layer.rows * slotBytes);
                    }
                } else {
                    data.put(to, layer.data, from, layer.slots * slotBytes);
                }
            }
            layer.owner.close();
        }
        layer.owner = owner;
        layer.data = data;
        layer.slots = slots;
        layer.rows = layer.kind == Kind.ALL_BY_COLUMN ? size : 0;
    }

    /** The layer's buffer; the row of (sequence, slot) starts at {@link #rowOffset}. */
    ByteBuffer data(int l) {
        return layers[l].data;
    }

    /** Byte offset of the key row of (sequence, slot); its value row follows {@link #valueOffset} bytes later. */
    int rowOffset(int l, int sequence, int slot) {
        return (sequence * layers[l].slots + slot) * slotBytes;
    }

    int valueOffset() {
        return slotBytes / 2;
    }

    int slotBytes() {
        return slotBytes;
    }

    /** Writes the key and value of {@code position} for {@code sequence}; the layer must hold it ({@link #ensure}). */
    void put(int l, int sequence, int position, float[] key, int keyOff, float[] value, int valueOff) {
        int at = rowOffset(l, sequence, slot(l, position));
        KvRows.put(format, layers[l].data, at, key, keyOff, headDim);
        KvRows.put(format, layers[l].data, at + slotBytes / 2, value, valueOff, headDim);
    }

    /**
     * Drops the first {@code positions} positions of every self-attention layer (a whole number of blocks)
     * and moves the rest to the front; encoder-decoder layers keep the encoder's. A row layer's slots need no
     * move (position j - positions has j's slot), a previous-row layer's two blocks swap when an odd number
     * of blocks is dropped.
     */
    void shift(int positions) {
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            if (layer.data == null || layer.kind == Kind.ENCODER || layer.kind == Kind.ROWS) {
                continue;
            }
            if (layer.kind == Kind.LIMITED) {
                throw new UnsupportedOperationException("a lyrics prior's window cannot move: every window starts "
                        + "with its lyric tokens");
            }
            for (int s = 0; s < sequences; s++) {
                int base = s * layer.slots * slotBytes;
                switch (layer.kind) {
                    case PREVIOUS_ROWS -> {
                        if (positions / layer.blockCtx % 2 == 1 && layer.slots == 2 * layer.blockCtx) {
                            swap(layer.data, base, base + layer.blockCtx * slotBytes, layer.blockCtx * slotBytes);
                        }
                    }
                    case ALL_BY_COLUMN -> {
                        int drop = positions / layer.blockCtx;
                        for (int col = 0; col < layer.blockCtx; col++) {
                            int at = base + col * layer.rows * slotBytes;
                            if (drop < layer.rows) {
                                layer.data.put(at, layer.data, at + drop * slotBytes, (layer.rows - drop) * slotBytes);
                            }
                        }
                    }
                    case ALL -> {
                        if (positions < layer.slots) {
                            layer.data.put(base, layer.data.duplicate(), base + positions * slotBytes,
                                    (layer.slots - positions) * slotBytes);
                        }
                    }
                    default -> throw new IllegalStateException("unreachable: " + layer.kind);
                }
            }
        }
    }

    private static void swap(ByteBuffer data, int a, int b, int length) {
        byte[] first = new byte[length];
        byte[] second = new byte[length];
        data.get(a, first);
        data.get(b, second);
        data.put(a, second);
        data.put(b, first);
    }

    /**
     * Takes over layer {@code l} of a prefilled DJL cache holding {@code length} positions: keys and values
     * (rows, heads, slots, headDim), slot 0 holding position {@code base}, whose row i becomes candidates
     * i x repeat .. (i + 1) x repeat - 1. Only the positions the layer keeps are copied.
     */
    void load(int l, float[] keys, float[] values, int rows, int repeat, int heads, int cacheSlots, int base,
              int length) {
        Layer layer = layers[l];
        int from;
        int to;
        switch (layer.kind) {
            case ENCODER -> {
                from = 0;
                to = layer.maxSlots;
            }
            case LIMITED -> {
                from = 0;
                to = Math.min(length, layer.maxSlots);
            }
            case ROWS -> {
                from = length / layer.blockCtx * layer.blockCtx;
                to = length;
            }
            case PREVIOUS_ROWS -> {
                from = Math.max(0, (length / layer.blockCtx - 1) * layer.blockCtx);
                to = length;
            }
            default -> {
                from = 0;
                to = length;
            }
        }
        if (from < base || to > base + cacheSlots) {
            throw new IllegalStateException("layer " + l + " (" + layer.kind + ") needs positions " + from + ".." + to
                    + " but the prefill cache holds " + base + ".." + (base + cacheSlots));
        }
        ensure(l, Math.max(0, Math.max(to, layer.kind == Kind.ENCODER ? 0 : length) - 1));
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < heads; h++) {
                int src = (r * heads + h) * cacheSlots * headDim;
                for (int c = 0; c < repeat; c++) {
                    int sequence = (r * repeat + c) * heads + h;
                    for (int j = from; j < to; j++) {
                        put(l, sequence, j, keys, src + (j - base) * headDim, values, src + (j - base) * headDim);
                    }
                }
            }
        }
    }
}
