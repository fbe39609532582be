package dev.segue.engine.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.ParameterSet;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.VqVaeConfig;
import dev.segue.engine.nn.Conv1dLayer;
import dev.segue.engine.nn.DecoderConvBlock;
import dev.segue.engine.nn.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * The hierarchical VQ-VAE. Each level has its own encoder (all down-sampling blocks up to that level, at
 * that level's width/depth multiplier), its own codebook and its own decoder; decoding from a level uses
 * only that level's decoder, as the reference's {@code decode(zs, start_level)} does.
 */
public final class VqVae implements AutoCloseable {
    private static final Runnable NOTHING = () -> { };

    private final VqVaeConfig config;
    private final NDManager manager;
    private final List<List<EncoderConvBlock>> encoders = new ArrayList<>();
    private final List<List<DecoderConvBlock>> decoders = new ArrayList<>();
    private final List<Conv1dLayer> decoderOuts = new ArrayList<>();
    private final List<Bottleneck> bottlenecks = new ArrayList<>();

    public VqVae(VqVaeConfig config, WeightStore store, NDManager parent) {
        this(config, store, parent, null);
    }

    /**
     * With {@code training} non-null every parameter (codebooks included) is recorded there in the
     * reference layout. The trainer quantises with its own EMA codebooks ({@link #latents},
     * {@link #decodeLatents}); {@link #encode} of a training instance does not see codebook updates.
     */
    public VqVae(VqVaeConfig config, WeightStore store, NDManager parent, ParameterSet training) {
        this.config = config;
        this.manager = parent.newSubManager();
        try {
            WeightLoader root = new WeightLoader(store, manager, training);
            for (int level = 0; level < config.levels(); level++) {
                int width = config.width() * config.multipliers()[level];
                int depth = config.depth() * config.multipliers()[level];
                WeightLoader enc = root.child("encoders." + level + ".level_blocks");
                WeightLoader dec = root.child("decoders." + level);
                List<EncoderConvBlock> encBlocks = new ArrayList<>();
                List<DecoderConvBlock> decBlocks = new ArrayList<>();
                for (int i = 0; i <= level; i++) {
                    encBlocks.add(new EncoderConvBlock(enc.child(Integer.toString(i)), i == 0 ? 1 : config.embWidth(),
                            config.embWidth(), config.downsT()[i], config.stridesT()[i], width, depth, config.mConv(),
                            config.dilationGrowthRate(), config.dilationCycle()));
                    decBlocks.add(new DecoderConvBlock(dec.child("level_blocks." + i), config.embWidth(),
                            config.embWidth(), config.downsT()[i], config.stridesT()[i], width, depth, config.mConv(),
                            config.dilationGrowthRate(), config.dilationCycle(), false,
                            config.reverseDecoderDilation()));
                }
                encoders.add(encBlocks);
                decoders.add(decBlocks);
                decoderOuts.add(new Conv1dLayer(dec.child("out"), config.embWidth(), 1, 3, 1, 1, 1));
                bottlenecks.add(new Bottleneck(root.child("bottleneck.level_blocks." + level), config.lBins(),
                        config.embWidth()));
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public VqVaeConfig config() {
        return config;
    }

    /**
     * Codes of mono audio (N, T) at one level; T must be a multiple of that level's hop. The result is
     * attached to the audio's manager.
     */
    public NDArray encode(NDArray audio, int level) {
        return encode(audio, level, NOTHING);
    }

    /** {@link #encode(NDArray, int)} with {@code between} run before each residual block; it throws to stop. */
    public NDArray encode(NDArray audio, int level, Runnable between) {
        return Tensors.consume(latents(audio, level, between), bottlenecks.get(level)::encode);
    }

    /** The encoder's continuous output (N, emb_width, T / hop) for mono audio (N, T), before quantisation. */
    public NDArray latents(NDArray audio, int level) {
        return latents(audio, level, NOTHING);
    }

    private NDArray latents(NDArray audio, int level, Runnable between) {
        checkLevel(level);
        long t = audio.getShape().get(1);
        if (t % config.hopLength(level) != 0) {
            throw new IllegalArgumentException("audio length " + t + " is not a multiple of hop " + config.hopLength(level));
        }
        NDArray x = audio.reshape(audio.getShape().get(0), 1, t); // a view of the caller's audio, ours to close
        for (EncoderConvBlock block : encoders.get(level)) {
            x = Tensors.consume(x, v -> block.forward(v, between));
        }
        return x;
    }

    /** Mono audio (N, T) decoded from one level's codes (N, T / hop) with that level's decoder. */
    public NDArray decode(NDArray codes, int level) {
        return decode(codes, level, NOTHING);
    }

    /** {@link #decode(NDArray, int)} with {@code between} run before each residual block; it throws to stop. */
    public NDArray decode(NDArray codes, int level, Runnable between) {
        NDArray latents = embed(codes, level);
        NDArray audio = decodeLatents(latents, level, between);
        latents.close();
        return audio;
    }

    /** One level's codes (N, T) as their codebook rows (N, emb_width, T): the quantised latents its decoder reads. */
    public NDArray embed(NDArray codes, int level) {
        checkLevel(level);
        return bottlenecks.get(level).decode(codes);
    }

    /** Mono audio (N, T) from quantised latents (N, emb_width, T / hop) with that level's decoder. */
    public NDArray decodeLatents(NDArray latents, int level) {
        return decodeLatents(latents, level, NOTHING);
    }

    private NDArray decodeLatents(NDArray latents, int level, Runnable between) {
        checkLevel(level);
        NDArray x = latents; // the caller's; every later x is this decoder's own intermediate
        List<DecoderConvBlock> blocks = decoders.get(level);
        for (int i = blocks.size() - 1; i >= 0; i--) {
            NDArray in = x;
            x = blocks.get(i).forward(in, between);
            if (in != latents && x != in) {
                in.close();
            }
        }
        NDArray in = x;
        x = decoderOuts.get(level).forward(in);
        if (in != latents) {
            in.close();
        }
        return Tensors.consume(x, v -> v.reshape(v.getShape().get(0), v.getShape().get(2)));
    }

    /**
     * How far, in audio samples at the model rate, one level's encoder or decoder reaches to either side: each conv
     * adds its kernel's span times the samples one of its positions stands for (a strided or transposed conv its whole
     * 2*stride kernel, a residual conv k=3 its dilation, the k=3 convs in and out one position). Encoder and decoder
     * are mirror images, so one bound serves both. It over-counts (a "same" conv reaches half its span each way), which
     * only costs a little extra work per chunk; {@code VqVaeChunkingTest} holds chunked to whole output.
     */
    public int reachSamples(int level) {
        checkLevel(level);
        long reach = 0;
        long j = 1; // samples per position at the current layer's input
        for (int block = 0; block <= level; block++) {
            int stride = config.stridesT()[block];
            int depth = config.depth() * config.multipliers()[level];
            for (int i = 0; i < config.downsT()[block]; i++) {
                reach += 2L * stride * j; // the strided conv, kernel 2*stride
                j *= stride;
                for (int d = 0; d < depth; d++) {
                    int exponent = config.dilationCycle() == null ? d : d % config.dilationCycle();
                    reach += Math.round(Math.pow(config.dilationGrowthRate(), exponent)) * j;
                }
            }
            if (config.downsT()[block] > 0) {
                reach += j; // the k=3 conv out of (or into) the block
            }
        }
        return (int) Math.min(Integer.MAX_VALUE / 4, reach + 1);
    }

    /** A chunk is at least this many times a level's reach, so the halos add at most a quarter of the work. */
    public static final int CHUNK_REACHES = 8;

    /**
     * The piece {@link #encodeChunked} and {@link #decodeChunked} should use at {@code level}: at least
     * {@code minSamples}, and at least {@link #CHUNK_REACHES} times the level's reach. Each piece does its reach of
     * extra work on both sides; the published 5b encoder reaches 45957 samples at level 0 and 10837 at level 2, so a
     * fixed piece of a few thousand samples would do several times the whole's work.
     */
    public int chunkSamples(int level, int minSamples) {
        return (int) Math.min(Integer.MAX_VALUE / 4, Math.max(minSamples, (long) CHUNK_REACHES * reachSamples(level)));
    }

    /**
     * {@link #encode} in pieces of about {@code chunkSamples} samples: the same codes as encoding the whole (each piece
     * is encoded with {@link #reachSamples} of real audio around it, so the convolutions see what they would have seen,
     * and only the piece's own codes are kept), but a caller can stop it. {@code between} runs before each piece and
     * before each residual block inside it, and throws to stop. Audio is mono, its length a multiple of the level's
     * hop.
     */
    public long[] encodeChunked(NDManager parent, float[] audio, int level, int chunkSamples, Runnable between) {
        checkLevel(level);
        int hop = config.hopLength(level);
        if (audio.length % hop != 0) {
            throw new IllegalArgumentException("audio length " + audio.length + " is not a multiple of hop " + hop);
        }
        int tokens = audio.length / hop;
        int chunk = Math.max(1, chunkSamples / hop);
        int halo = (reachSamples(level) + hop - 1) / hop; // in tokens, so every piece starts on the hop grid
        long[] out = new long[tokens];
        for (int a = 0; a < tokens; a += chunk) {
            between.run();
            int b = Math.min(tokens, a + chunk);
            int from = Math.max(0, a - halo);
            int to = Math.min(tokens, b + halo);
            try (NDManager scope = parent.newSubManager()) {
                float[] piece = java.util.Arrays.copyOfRange(audio, from * hop, to * hop);
                long[] codes = encode(scope.create(piece, new ai.djl.ndarray.types.Shape(1, piece.length)), level,
                        between).toLongArray();
                System.arraycopy(codes, a - from, out, a, b - a);
            }
        }
        return out;
    }

    /**
     * {@link #decode} in pieces of about {@code chunkSamples} output samples, {@code between} run before each piece and
     * each residual block in it; each piece is decoded with {@link #reachSamples} worth of codes around it and only its
     * own samples kept, so the audio equals decoding the whole.
     */
    public float[] decodeChunked(NDManager parent, long[] codes, int level, int chunkSamples, Runnable between) {
        checkLevel(level);
        int hop = config.hopLength(level);
        int chunk = Math.max(1, chunkSamples / hop);
        int halo = (reachSamples(level) + hop - 1) / hop;
        float[] out = new float[codes.length * hop];
        for (int a = 0; a < codes.length; a += chunk) {
            between.run();
            int b = Math.min(codes.length, a + chunk);
            int from = Math.max(0, a - halo);
            int to = Math.min(codes.length, b + halo);
            try (NDManager scope = parent.newSubManager()) {
                long[] piece = java.util.Arrays.copyOfRange(codes, from, to);
                float[] audio = decode(scope.create(piece, new ai.djl.ndarray.types.Shape(1, piece.length)), level,
                        between).toFloatArray();
                System.arraycopy(audio, (a - from) * hop, out, a * hop, (b - a) * hop);
            }
        }
        return out;
    }

    private void checkLevel(int level) {
        if (level < 0 || level >= config.levels()) {
            throw new IllegalArgumentException("level " + level + " outside 0.." + (config.levels() - 1));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
