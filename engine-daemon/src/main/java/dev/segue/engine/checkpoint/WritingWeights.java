package dev.segue.engine.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Set;

/**
 * Seeded random weights that are also written, tensor by tensor as the model asks for them, to a torch
 * checkpoint: building a model once from this store leaves a {@code .pth.tar} in the published layout with
 * exactly the names and shapes that model reads, without anyone listing them. With {@code fp16Weights}, the
 * transformer's dense weights ({@code Conv1D}, names ending {@code .w}) are stored and handed out as fp16, as
 * the reference stores them for priors with {@code fp16_params} (the 5b top priors); everything else is fp32.
 */
public final class WritingWeights implements WeightStore {
    private final RandomWeights random;
    private final TorchCheckpointWriter writer;
    private final boolean fp16Weights;

    public WritingWeights(long seed, TorchCheckpointWriter writer, boolean fp16Weights) {
        this.random = new RandomWeights(seed);
        this.writer = writer;
        this.fp16Weights = fp16Weights;
    }

    @Override
    public Path path() {
        return random.path();
    }

    @Override
    public Set<String> names() {
        return random.names();
    }

    @Override
    public boolean contains(String name) {
        return random.contains(name);
    }

    @Override
    public TensorEntry get(String name) {
        return random.get(name);
    }

    @Override
    public TensorEntry get(String name, long[] shape) {
        boolean fresh = !random.names().contains(name);
        TensorEntry made = random.get(name, shape);
        if (fp16Weights && name.endsWith(".w") && shape.length == 2) {
            made = toHalf(made);
        }
        if (fresh) {
            writer.add(name, made.dtype(), made.shape(), made.data());
            sinceCollect += made.data().capacity();
            if (sinceCollect > COLLECT_EVERY_BYTES) {
                // Each tensor is made in a direct buffer, freed only when a collection finds it unreachable; a
                // model's heap is too small to trigger one, so a 5b prior's 20 GB of tensors would pile up
                // outside the heap until the direct-memory limit. Collecting every few hundred MB keeps what
                // is in flight to about that.
                System.gc();
                sinceCollect = 0;
            }
        }
        return made;
    }

    private static final long COLLECT_EVERY_BYTES = 512L << 20;
    private long sinceCollect;

    /** Bytes of the tensors written (fp16 ones at two bytes each). */
    public long bytesWritten() {
        return writer.tensorBytes();
    }

    private static TensorEntry toHalf(TensorEntry e) {
        FloatBuffer in = e.data().asFloatBuffer();
        int n = in.remaining();
        ByteBuffer out = ByteBuffer.allocateDirect(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out.putShort(i * 2, floatToHalf(in.get(i)));
        }
        return new TensorEntry(e.name(), DType.F16, e.shape(), out);
    }

    /** IEEE binary16, round to nearest even; overflow to infinity, underflow through subnormals to zero. */
    static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >>> shift;
            int rest = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rest > mid || (rest == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is the correct rounding
        }
        return (short) (sign | half);
    }

    @Override
    public void close() {
        random.close();
    }
}
