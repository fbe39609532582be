package dev.segue.engine.checkpoint;

import java.nio.ByteBuffer;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * One named tensor as stored in a checkpoint: its element type, shape and raw little-endian bytes. The
 * bytes are usually a slice of a memory-mapped file, so holding an entry costs no heap until it is read.
 */
public final class TensorEntry {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;
    /** Where the bytes lie in a file, for reads that must not pull the mapping into memory; null if nowhere. */
    private final FileChannel file;
    private final long fileOffset;

    public TensorEntry(String name, DType dtype, long[] shape, ByteBuffer data) {
        this(name, dtype, shape, data, null, 0);
    }

    /**
     * An entry whose bytes are also at {@code fileOffset} in {@code file}: {@link #readBytes} then reads
     * them with positional reads, so streaming a tensor into its destination does not make the mapped pages
     * resident in this process (they stay in the page cache, outside the process's RSS).
     */
    public TensorEntry(String name, DType dtype, long[] shape, ByteBuffer data, FileChannel file, long fileOffset) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.file = file;
        this.fileOffset = fileOffset;
    }

    /**
     * Fills {@code dst} (from its position to its limit) with the tensor's bytes from byte {@code from}:
     * positional file reads when the entry knows its file, else a copy from {@link #data()}.
     */
    public void readBytes(long from, ByteBuffer dst) {
        int want = dst.remaining();
        if (from < 0 || from + want > data.capacity()) {
            throw new IndexOutOfBoundsException("bytes " + from + ".." + (from + want) + " of tensor '" + name
                    + "' (" + data.capacity() + " bytes)");
        }
        if (file == null) {
            ByteBuffer src = data.duplicate();
            src.position(Math.toIntExact(from)).limit(Math.toIntExact(from + want));
            dst.put(src);
            return;
        }
        try {
            long at = fileOffset + from;
            while (dst.hasRemaining()) {
                int n = file.read(dst, at);
                if (n < 0) {
                    throw new CheckpointException(null, name, "file ends inside the tensor's data");
                }
                at += n;
            }
        } catch (IOException e) {
            throw new CheckpointException(null, name, "read failed: " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The raw bytes, little-endian, positioned at the first element. */
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Elements as float32, upcasting fp16/bf16/f64 exactly as torch's {@code .float()} does. */
    public float[] toFloats() {
        int n = Math.toIntExact(elementCount());
        float[] out = new float[n];
        ByteBuffer b = data();
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            default -> throw new IllegalStateException("tensor '" + name + "' holds " + dtype + ", not a float type");
        }
        return out;
    }

    /** Elements as int64, for integer tensors (codes, labels). */
    public long[] toLongs() {
        int n = Math.toIntExact(elementCount());
        long[] out = new long[n];
        ByteBuffer b = data();
        switch (dtype) {
            case I64 -> b.asLongBuffer().get(out);
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(4 * i);
                }
            }
            case I16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(2 * i);
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i);
                }
            }
            case U8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i) & 0xff;
                }
            }
            default -> throw new IllegalStateException("tensor '" + name + "' holds " + dtype + ", not an integer type");
        }
        return out;
    }

    /** IEEE 754 binary16 to binary32; exact for every value, subnormals and NaN payloads included. */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Subnormal (or zero): value is mantissa * 2^-24, exactly representable as a float.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
