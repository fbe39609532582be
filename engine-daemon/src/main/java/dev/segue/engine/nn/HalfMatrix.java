package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.CheckpointException;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.HalfFloats;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.WeightLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * A weight matrix (in inputs, out outputs) held once, in bf16 or fp16, in memory that both the CPU step
 * kernel and libtorch read.
 *
 * <p>Where the bytes live: a libtorch tensor of the model's manager owns them (so they are not bounded by
 * the JVM's direct-memory limit, and live exactly as long as the prior), and this class reads them through
 * the direct {@link ByteBuffer} that views that tensor's storage. Prefill gets a libtorch tensor over the
 * same bytes ({@link #widened}: a view created in the caller's manager, widened to fp32 one matrix at a
 * time and dropped after use). Why not the other way round, prefill through the kernel: prefill is a few
 * large matrix products, which libtorch does well; the step is a matrix-vector product per layer, which is
 * a memory stream the kernel does well. Why not keep libtorch's (out, in) layout for both: the kernel must
 * stream each work unit's weights strictly in order (a column tile of a row-major matrix is one short run
 * per row, a page apart, and the prefetchers lose it), and a layout libtorch can view is any fixed
 * permutation, which {@link #widened} undoes while it widens.
 *
 * <p>The layout, for L floats per vector ({@link BlockedMatrix#BLOCK} = 4L outputs per block): outputs in
 * blocks, each block in two groups of 2L outputs, each group stored input by input ([block][group][in][2L]
 * 16-bit values), and in a group's input row the 32-bit word j holds output j in its low half and output
 * j + L in its high half. A group is one sequential stream: four candidates run one group at a time where
 * the vector registers cannot hold a whole block's accumulators ({@link VectorMath#splitFour}), and the
 * second group's pass then streams on from memory instead of re-reading rows the first pass split. The kernel loads a group as L ints and gets both halves as
 * floats with two or three integer operations, no shuffles: bf16 to fp32 is a 16-bit left shift (low
 * half) or a mask (high half); fp16 to fp32 moves the exponent and mantissa into place (a shift and a
 * mask), multiplies by 2^112 to rebias, and puts the sign back: exact for normal and subnormal values.
 * Infinite or NaN fp16 weights are refused at load, as that widening would not keep them. Outputs past the
 * last whole block are stored after the blocks, output by output ([out][in]), and done as dot products.
 *
 * <p>A per-output scale (the attention's q.k scale, folded into the query columns when weights are fp32)
 * is applied to each product instead of to the weights, so the stored values are never rounded twice.
 */
public final class HalfMatrix implements StepMatrix {
    static final int L = FloatVector.SPECIES_PREFERRED.length();
    static final int BLOCK = BlockedMatrix.BLOCK;
    /** Position within a block's input row of each of its outputs. */
    private static final int[] SLOT = slots();

    final ByteBuffer data;
    final boolean f16;
    final float[] bias;
    final float[] scale;
    final int in;
    final int out;
    final int fullBlocks;
    final int tail;
    /** The libtorch tensor that owns {@link #data}; closed with the model's manager. */
    private final NDArray owner;

    private HalfMatrix(NDArray owner, ByteBuffer data, boolean f16, float[] bias, float[] scale, int in, int out) {
        this.owner = owner;
        this.data = data;
        this.f16 = f16;
        this.bias = bias;
        this.scale = scale;
        this.in = in;
        this.out = out;
        this.fullBlocks = out / BLOCK;
        this.tail = out - fullBlocks * BLOCK;
    }

    private static int[] slots() {
        int[] slot = new int[BLOCK];
        for (int r = 0; r < BLOCK; r++) {
            int group = r / (2 * L);
            int within = r % (2 * L);
            slot[r] = group * 2 * L + 2 * (within % L) + within / L;
        }
        return slot;
    }

    /**
     * The large matrix {@code name} of {@code w} held in half precision when the loader's format says so
     * for its stored type, else null (the caller then takes {@link WeightLoader#floats} as before).
     * {@code outByIn}: stored (out, in), as an embedding table; otherwise (in, out), as Jukebox's Conv1D.
     */
    public static HalfMatrix from(WeightLoader w, String name, boolean outByIn, int in, int out, float[] bias,
                                  float[] scale) {
        return from(w, outByIn ? w.entry(name, out, in) : w.entry(name, in, out), outByIn, in, out, bias, scale);
    }

    /** As above for an entry the caller already has (its shape checked by the loader). */
    public static HalfMatrix from(WeightLoader w, TensorEntry entry, boolean outByIn, int in, int out, float[] bias,
                                  float[] scale) {
        if (!entry.dtype().isFloating()) {
            throw new CheckpointException(w.store().path(), entry.name(), "expected a float tensor, found "
                    + entry.dtype());
        }
        DType held = w.held(entry.dtype());
        if (held == DType.F32) {
            return null;
        }
        try {
            return load(entry, outByIn, held, bias, scale, in, out, w.manager());
        } catch (CheckpointException e) {
            throw new CheckpointException(w.store().path(), entry.name(), e.problem(), e);
        }
    }

    /**
     * Loads {@code entry} as a matrix held in {@code held} (BF16 or F16), streaming the file a few
     * megabytes at a time into the destination: the source is never whole in memory, and an fp32 file
     * converted to half precision never has both copies alive. {@code outByIn}: the entry is stored
     * (out, in) (an embedding table, the output projection); otherwise (in, out) (Jukebox's Conv1D).
     * {@code bias} and {@code scale} (length out, fp32) may be null.
     */
    public static HalfMatrix load(TensorEntry entry, boolean outByIn, DType held, float[] bias, float[] scale,
                                  int in, int out, NDManager manager) {
        if (held != DType.BF16 && held != DType.F16) {
            throw new IllegalArgumentException("a half-precision matrix is held as BF16 or F16, not " + held);
        }
        long elements = (long) in * out;
        if (elements * 2 > Integer.MAX_VALUE) {
            throw new CheckpointException(null, entry.name(), "matrix of " + elements + " values is over 2 GB in "
                    + "half precision, which one buffer cannot hold");
        }
        NDArray owner = manager.create(new Shape(elements), storageType(held == DType.F16));
        ByteBuffer data = owner.toByteBuffer(true);
        if (!data.isDirect() || data.capacity() != elements * 2) {
            owner.close();
            throw new IllegalStateException("libtorch did not expose its tensor's memory directly ("
                    + data.capacity() + " bytes, direct " + data.isDirect() + ")");
        }
        data.order(ByteOrder.LITTLE_ENDIAN);
        HalfMatrix m = new HalfMatrix(owner, data, held == DType.F16, bias, scale, in, out);
        try {
            m.fill(entry, outByIn);
        } catch (RuntimeException e) {
            owner.close();
            throw e;
        }
        return m;
    }

    private void fill(TensorEntry entry, boolean outByIn) {
        DType stored = entry.dtype();
        int rows = outByIn ? out : in;
        int cols = outByIn ? in : out;
        int esize = stored.bytes();
        long rowBytes = (long) cols * esize;
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, (1L << 20) / rowBytes));
        // On the heap: collected with the load (a direct buffer per matrix would wait for a GC, holding
        // megabytes of native memory per matrix until then).
        ByteBuffer chunk = ByteBuffer.allocate(Math.toIntExact(rowsPerChunk * rowBytes)).order(ByteOrder.LITTLE_ENDIAN);
        for (int r0 = 0; r0 < rows; r0 += rowsPerChunk) {
            int count = Math.min(rowsPerChunk, rows - r0);
            chunk.clear().limit(Math.toIntExact(count * rowBytes));
            entry.readBytes(r0 * rowBytes, chunk);
            for (int r = 0; r < count; r++) {
                for (int c = 0; c < cols; c++) {
                    int at = Math.toIntExact((r * (long) cols + c) * esize);
                    short bits = convert(chunk, at, stored, entry.name());
                    int i = outByIn ? c : r0 + r;
                    int o = outByIn ? r0 + r : c;
                    data.putShort(2 * index(i, o), bits);
                }
            }
        }
    }

    private short convert(ByteBuffer src, int at, DType stored, String name) {
        short bits;
        if (stored == DType.F16 && f16 || stored == DType.BF16 && !f16) {
            bits = src.getShort(at); // held as stored: the bits themselves
        } else {
            float v = switch (stored) {
                case F32 -> src.getFloat(at);
                case F16 -> HalfFloats.f16ToFloat(src.getShort(at));
                case BF16 -> HalfFloats.bf16ToFloat(src.getShort(at));
                case F64 -> (float) src.getDouble(at);
                default -> throw new CheckpointException(null, name, "expected a float tensor, found " + stored);
            };
            bits = f16 ? HalfFloats.floatToF16(v) : HalfFloats.floatToBf16(v);
        }
        if (f16 && !HalfFloats.isFiniteF16(bits)) {
            throw new CheckpointException(null, name, "holds a value fp16 cannot (infinite, NaN or beyond 65504): "
                    + "hold the weights as bf16 or fp32 (--weights bf16|fp32)");
        }
        return bits;
    }

    /** Index (in 16-bit values) of weight (input i, output o). */
    int index(int i, int o) {
        if (o < fullBlocks * BLOCK) {
            int r = o % BLOCK;
            int group = r / (2 * L);
            return (o / BLOCK) * in * BLOCK + group * in * 2 * L + i * 2 * L + SLOT[r] - group * 2 * L;
        }
        return fullBlocks * BLOCK * in + (o - fullBlocks * BLOCK) * in + i;
    }

    /** Weight (input i, output o), widened; the per-output scale is not applied. */
    public float get(int i, int o) {
        short bits = data.getShort(2 * index(i, o));
        return f16 ? HalfFloats.f16ToFloat(bits) : HalfFloats.bf16ToFloat(bits);
    }

    /**
     * Writes the weights of output {@code o} (one per input) to {@code dst} from {@code off}: the row of an
     * embedding table held as its output projection, for the step kernel's token lookup.
     */
    public void column(int o, float[] dst, int off) {
        for (int i = 0; i < in; i++) {
            dst[off + i] = get(i, o);
        }
    }

    /**
     * The matrix as a contiguous fp32 (out, in) tensor in {@code m}, per-output scale applied: the weight
     * libtorch's {@code linear} takes. Made from a view of this matrix's bytes created in {@code m} (no copy
     * of the half values), so the caller closes {@code m} (or the result) right after the product: the
     * fp32 form exists for one matrix at a time.
     */
    public NDArray widened(NDManager m) {
        NDArray all = widenedInPlaceOrder(m);
        NDArray result = null;
        long blocked = (long) fullBlocks * BLOCK * in;
        if (fullBlocks > 0) {
            NDArray part = fullBlocks * BLOCK == out ? all : all.get(new NDIndex("0:{}", blocked));
            // [block][group][in][word][half] to [block][group][half][word][in] = (out, in).
            result = part.reshape(fullBlocks, 2, in, L, 2).transpose(0, 1, 4, 3, 2).reshape(fullBlocks * BLOCK, in);
        }
        if (tail > 0) {
            NDArray rest = all.get(new NDIndex("{}:", blocked)).reshape(tail, in);
            result = result == null ? rest : result.concat(rest, 0);
        }
        if (scale != null) {
            result = result.mul(m.create(scale, new Shape(out, 1)));
        }
        return result;
    }

    /**
     * The matrix as a contiguous fp32 (in, out) tensor in {@code m}, per-output scale applied: the right-hand
     * side of {@code x.matMul} for prefill. Widened in Java SIMD straight from this class's layout in one pass
     * (each block's input row is 4L consecutive outputs, so the reads are in order and the writes are runs of
     * 4L floats), where {@link #widened} takes libtorch six passes for bf16 (byte views, integer casts and
     * arithmetic, then the transpose), as DJL cannot hand libtorch a bf16 tensor. As with {@link #widened}
     * the caller closes {@code m} (or the result) right after the product.
     */
    public NDArray widenedInByOut(NDManager m) {
        NDArray result = m.create(new Shape(in, out), DataType.FLOAT32);
        ByteBuffer dst = result.toByteBuffer(true);
        if (!dst.isDirect() || dst.capacity() != 4L * in * out) {
            result.close();
            throw new IllegalStateException("libtorch did not expose an fp32 tensor's memory directly");
        }
        dst.order(ByteOrder.LITTLE_ENDIAN);
        if (f16) {
            VectorMath.widenBlocks(this, dst, true);
        } else {
            VectorMath.widenBlocks(this, dst, false);
        }
        for (int o = fullBlocks * BLOCK; o < out; o++) {
            float factor = scale == null ? 1f : scale[o];
            for (int i = 0; i < in; i++) {
                dst.putFloat(4 * (i * out + o), get(i, o) * factor);
            }
        }
        return result;
    }

    /**
     * libtorch's type for the stored bytes. DJL's PyTorch engine (0.35) aborts the process on any bf16 or
     * int16 tensor (creating, casting or viewing one), so bf16 bits are held in a 16-bit float tensor that
     * libtorch never reads as such, and widened with byte views and integer operations
     * ({@link #widenedInPlaceOrder}).
     */
    private static DataType storageType(boolean f16) {
        return DataType.FLOAT16;
    }

    /**
     * Every weight widened to fp32, one dimension, in this class's layout. bf16: each value's high byte
     * (read as int8, so sign-extended) times 2^24 plus its low byte (uint8) times 2^16 is exactly the fp32
     * bit pattern as an int32 (no overflow), which a float tensor over the same memory reads as it is.
     */
    private NDArray widenedInPlaceOrder(NDManager m) {
        long n = (long) in * out;
        Shape shape = new Shape(n);
        if (f16) {
            return m.create(data, shape, DataType.FLOAT16).toType(DataType.FLOAT32, false);
        }
        NDArray low = m.create(data, new Shape(n, 2), DataType.UINT8).get(":, 0").toType(DataType.INT32, false);
        NDArray high = m.create(data, new Shape(n, 2), DataType.INT8).get(":, 1").toType(DataType.INT32, false);
        NDArray bits = high.mul(1 << 24).add(low.mul(1 << 16));
        ByteBuffer raw = bits.toByteBuffer(true);
        if (!raw.isDirect()) {
            throw new IllegalStateException("libtorch did not expose an int32 tensor's memory directly");
        }
        return m.create(raw.order(ByteOrder.nativeOrder()), shape, DataType.FLOAT32);
    }

    /** The libtorch tensor holding this matrix's bytes (one dimension, in this class's layout). */
    public NDArray storage() {
        return owner;
    }

    /** The direct buffer over the same bytes, little-endian (a duplicate: its position is the caller's). */
    public ByteBuffer buffer() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public boolean isFp16() {
        return f16;
    }

    public float[] bias() {
        return bias;
    }

    public float[] scale() {
        return scale;
    }

    @Override
    public int in() {
        return in;
    }

    @Override
    public int out() {
        return out;
    }

    @Override
    public int units() {
        return fullBlocks + (tail > 0 ? 1 : 0);
    }

    @Override
    public long bytes() {
        return 2L * in * out + 4L * ((bias == null ? 0 : out) + (scale == null ? 0 : out));
    }

    @Override
    public void matVec(float[] x, float[] y, int count, int from, int to) {
        VectorMath.matVec(this, x, y, count, from, to);
    }
}
