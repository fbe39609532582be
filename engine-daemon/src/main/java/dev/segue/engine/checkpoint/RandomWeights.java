package dev.segue.engine.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random weights for any config, shaped on request: for benchmarks whose figures must compare
 * across machines and with the reference without shipping a checkpoint. Normal(0, 0.02), the reference's
 * initialisation scale for most parameters; layer-norm gains are 1 so activations keep a sane range.
 */
public final class RandomWeights implements WeightStore {
    private final long seed;
    private final double std;
    private final Set<String> made = new LinkedHashSet<>();
    private long bytesMade;

    public RandomWeights(long seed) {
        this(seed, 0.02);
    }

    /** With a larger {@code std}, tests get logits large enough that a wrong path cannot hide in rounding. */
    public RandomWeights(long seed, double std) {
        this.seed = seed;
        this.std = std;
    }

    @Override
    public Path path() {
        return Path.of("random-weights-seed-" + seed);
    }

    @Override
    public Set<String> names() {
        return made;
    }

    /** Every tensor exists: the model asks for exactly what its config needs. */
    @Override
    public boolean contains(String name) {
        // Residual stacks look for a checkpointed "blocks" layout first; random weights use the plain one.
        return !name.contains(".blocks.");
    }

    @Override
    public TensorEntry get(String name) {
        throw new CheckpointException(path(), name, "random weights need the expected shape");
    }

    @Override
    public TensorEntry get(String name, long[] shape) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = bytes.asFloatBuffer();
        Random random = new Random(seed ^ name.hashCode());
        boolean gain = name.endsWith("ln_0.weight") || name.endsWith("ln_1.weight") || name.endsWith("ln.weight");
        for (long i = 0; i < count; i++) {
            floats.put(gain ? 1f : (float) (random.nextGaussian() * std));
        }
        if (made.add(name)) {
            bytesMade += count * 4;
        }
        return new TensorEntry(name, DType.F32, shape, bytes);
    }

    /** Bytes of every distinct tensor handed out so far: the model's size once it is built. */
    public long bytesMade() {
        return bytesMade;
    }

    @Override
    public void close() {}
}
