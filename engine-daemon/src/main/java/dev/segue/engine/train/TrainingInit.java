package dev.segue.engine.train;

import dev.segue.engine.checkpoint.CheckpointException;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.WeightStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Random;
import java.util.Set;

/**
 * Initial weights for a model about to be trained, shaped on request and seeded. Transformer dense layers
 * and embeddings as the reference initialises them, normal(0, 0.02 * init_scale) (position embeddings
 * 0.01), biases zero, layer-norm gains one. Convolutions He-uniform (bound sqrt(6 / fan_in)) instead of
 * torch's default (bound 1 / sqrt(fan_in)): with the default, the ten plain convolutions of a top-level
 * encoder shrink its output about a hundredfold, so far that every latent rounds to the same code at the
 * start, and a short CPU run cannot afford the steps to grow out of that.
 * The tied output projection ({@code x_out}) does not exist here, so the prior shares it with {@code x_emb}.
 */
public final class TrainingInit implements WeightStore {
    private static final java.util.regex.Pattern RESIDUAL_OUT =
            java.util.regex.Pattern.compile("\\.model\\.\\d+\\.model\\.3\\.weight$");
    private static final String BEAT_CLOCK_WEIGHT = "beat_clock.weight";
    private final long seed;
    private final double initScale;
    private final Set<String> made = new LinkedHashSet<>();

    public TrainingInit(long seed, double initScale) {
        this.seed = seed;
        this.initScale = initScale;
    }

    @Override
    public Path path() {
        return Path.of("training-init-seed-" + seed);
    }

    @Override
    public Set<String> names() {
        return made;
    }

    @Override
    public boolean contains(String name) {
        // The plain residual layout ("model", not checkpointed "blocks"), and x_out tied to x_emb.
        return !name.contains(".blocks.") && !name.endsWith("x_out.weight");
    }

    @Override
    public TensorEntry get(String name) {
        throw new CheckpointException(path(), name, "initial weights need the expected shape");
    }

    @Override
    public TensorEntry get(String name, long[] shape) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(count * 4)).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = bytes.asFloatBuffer();
        Random random = new Random(seed * 1_000_003L ^ name.hashCode());
        boolean gain = name.matches(".*\\bln(_[01])?\\.weight");
        // The beat clock's projection starts at zero: a prior warm-started with a new clock begins as the
        // prior it was, and learns how much to listen to the clock.
        boolean bias = name.endsWith(".bias") || name.endsWith(".b") || name.equals(BEAT_CLOCK_WEIGHT);
        boolean conv = shape.length == 3;
        double fanIn = conv ? shape[1] * shape[2] : 1;
        double bound = Math.sqrt(6.0 / fanIn);
        if (RESIDUAL_OUT.matcher(name).find()) {
            // A residual block's last conv starts small (the reference's zero_out, but not zero, so the
            // block's first conv also gets a gradient): stacks start near identity instead of doubling the
            // variance per block.
            bound *= 0.1;
        }
        if (name.matches("decoders\\.\\d+\\.out\\.weight")) {
            // The decoder's last conv starts small too: He-scaled, the untrained decoder's output is about
            // ten times louder than its input, and the first steps would be spent only on undoing that.
            bound *= 0.1;
        }
        double std = name.endsWith("pos_emb.pos_emb") ? 0.01 * initScale : 0.02 * initScale;
        for (long i = 0; i < count; i++) {
            float v;
            if (gain) {
                v = 1f;
            } else if (bias) {
                v = 0f;
            } else if (conv) {
                v = (float) ((random.nextDouble() * 2 - 1) * bound);
            } else {
                v = (float) (random.nextGaussian() * std);
            }
            floats.put(v);
        }
        made.add(name);
        return new TensorEntry(name, DType.F32, shape, bytes);
    }

    @Override
    public void close() {}
}
