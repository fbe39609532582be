package dev.segue.engine.prior;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.segue.engine.checkpoint.ParameterSet;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.ConfigException;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.config.VqVaeConfig;
import dev.segue.engine.nn.BlockedMatrix;
import dev.segue.engine.nn.Embeddings;
import dev.segue.engine.nn.HalfMatrix;
import dev.segue.engine.nn.StepMatrix;
import java.util.List;

/**
 * One level's autoregressive prior: Jukebox's {@code SimplePrior} around {@code ConditionalAutoregressive2D}.
 * The two lyrics architectures of the top prior are here too. {@code single_enc_dec}: the window's lyric
 * tokens and its music codes form one sequence in a joint vocabulary (lyric tokens 0..n_vocab-1, then
 * music codes shifted by n_vocab), so {@link #bins()} and {@link #contextLength()} are the joint ones and
 * callers build the sequence with {@link #jointSequence}. {@code sep_enc_dec}: a {@link LyricsEncoder}
 * turns the lyric tokens of the label rows into states that encoder-decoder layers attend to.
 * Weights live in this prior's own manager for the daemon's lifetime; every per-request tensor is created
 * in the caller's manager and operations keep request tensors first, so results never land on the model's.
 * The large matrices are held in the precision a {@link WeightFormat} says: in half precision, once, in
 * memory both the libtorch forward and the CPU step kernel read ({@link HalfMatrix}).
 *
 * <p>About 480 lines, as nanoGPT's model file is one file: the prior's construction from weights, its
 * conditioning and its forward read top to bottom as the reference's modules do; the parts that stand alone
 * (attention patterns, the lyrics encoder, the conditioners, the caches, the step kernel) are their own classes.
 */
public final class Prior implements AutoCloseable {
    private final PriorConfig config;
    private final NDManager manager;
    /** The token embedding in fp32, or null when held in half precision ({@link #tokenHalf}). */
    private final NDArray tokenEmb;
    private final NDArray outputProj;
    private final HalfMatrix tokenHalf;
    /** The output projection in half precision (the same object as tokenHalf when tied), or null. */
    private final HalfMatrix outputHalf;
    private final NDArray positionEmb;
    private final NDArray startToken;
    private final Transformer transformer;
    private final LabelConditioner labels;
    private final UpperLevelConditioner upper;
    private final BeatClockConditioner beatClock;
    private final LyricsEncoder lyricsEncoder;
    private final int bins;
    /** Lyric tokens ahead of the music in the sequence (single_enc_dec), else 0. */
    private final int lyricPrefix;
    private final int lyricVocab;
    private final int upperDownsample;
    /** Seconds of audio per position of this level: the hop over the model rate. */
    private final double secondsPerToken;
    /** The reference's merged decoder (the 5b top prior) does not add the conditioning to the output. */
    private final boolean addCondAfterTransformer;
    /** Built on first CPU step: plain-array copies of the weights for the SIMD step kernel. */
    private CpuStepKernel cpuKernel;

    /** An inference prior holding every matrix in fp32. */
    public Prior(PriorConfig config, VqVaeConfig vqvae, WeightStore store, NDManager parent) {
        this(config, vqvae, store, parent, null, WeightFormat.FP32);
    }

    /** An inference prior holding its large matrices as {@code format} says. */
    public Prior(PriorConfig config, VqVaeConfig vqvae, WeightStore store, NDManager parent, WeightFormat format) {
        this(config, vqvae, store, parent, null, format);
    }

    public Prior(PriorConfig config, VqVaeConfig vqvae, WeightStore store, NDManager parent, ParameterSet training) {
        this(config, vqvae, store, parent, training, WeightFormat.FP32);
    }

    /**
     * With {@code training} non-null the prior is built for training: every parameter is recorded there in
     * the reference layout and only {@link #windowLogits} runs (the cached sampling paths fold weights).
     * Training covers the instrumental priors; the lyrics priors are inference only. Training holds fp32
     * whatever {@code format} says.
     */
    public Prior(PriorConfig config, VqVaeConfig vqvae, WeightStore store, NDManager parent, ParameterSet training,
                 WeightFormat format) {
        if (training != null && config.usesLyrics()) {
            throw new ConfigException("prior level " + config.level() + " is a lyrics prior: training covers the "
                    + "instrumental priors only");
        }
        if (config.posInit()) {
            throw new ConfigException("prior level " + config.level() + ": pos_init is not supported");
        }
        boolean top = config.level() == vqvae.levels() - 1;
        if (config.usesLyrics() && (!top || !config.labels() || config.copyInput())) {
            throw new ConfigException("prior level " + config.level() + ": a lyrics prior must be the top prior, "
                    + "with labels, without copy_input");
        }
        this.config = config;
        this.lyricPrefix = config.usesLyrics() && config.singleEncDec() ? config.nTokens() : 0;
        this.lyricVocab = config.usesLyrics() ? config.lyrics().nVocab() : 0;
        this.bins = vqvae.lBins() + (lyricPrefix > 0 ? lyricVocab : 0);
        this.addCondAfterTransformer = !config.mergedDecoder();
        this.secondsPerToken = (double) vqvae.hopLength(config.level()) / vqvae.sampleRate();
        this.manager = parent.newSubManager();
        try {
            WeightLoader root = new WeightLoader(store, manager, training, format);
            WeightLoader p = root.child("prior");
            int width = config.width();
            this.tokenHalf = HalfMatrix.from(p, "x_emb.weight", true, width, bins, null, null);
            this.tokenEmb = tokenHalf != null ? null : p.floats("x_emb.weight", bins, width);
            // Tied to x_emb unless merged_decoder, but state dicts store both names either way.
            // Training ties them as the reference does (one parameter), and saves the copy under both names.
            boolean separateOut = training == null ? p.has("x_out.weight") || config.mergedDecoder()
                    : config.mergedDecoder();
            this.outputHalf = separateOut ? HalfMatrix.from(p, "x_out.weight", true, width, bins, null, null) : tokenHalf;
            this.outputProj = separateOut ? (outputHalf != null ? null : p.floats("x_out.weight", bins, width))
                    : tokenEmb;
            if (training != null && !separateOut) {
                training.alias("prior.x_out.weight", "prior.x_emb.weight");
            }
            this.positionEmb = p.floats("pos_emb.pos_emb", config.sequenceLength(), width);
            this.startToken = config.labels() ? null : p.floats("start_token", 1, width);
            this.transformer = new Transformer(p.child("transformer"), TransformerSpec.decoder(config));
            this.lyricsEncoder = config.usesLyrics() && !config.singleEncDec() ? new LyricsEncoder(root, config) : null;
            this.labels = config.labels() ? new LabelConditioner(root.child("y_emb"), config, top) : null;
            if (config.beatClock() && (!top || config.usesLyrics())) {
                throw new ConfigException("prior level " + config.level() + ": beat_clock is for an instrumental top prior");
            }
            this.beatClock = config.beatClock()
                    ? new BeatClockConditioner(root.child("beat_clock"), config.width(), secondsPerToken) : null;
            if (top) {
                this.upper = null;
                this.upperDownsample = 0;
            } else {
                int above = config.level() + 1;
                this.upperDownsample = vqvae.downsample(above);
                this.upper = new UpperLevelConditioner(root.child("conditioner_blocks.0"), config, bins,
                        vqvae.downsT()[above], vqvae.stridesT()[above]);
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public PriorConfig config() {
        return config;
    }

    public int bins() {
        return bins;
    }

    /** Positions of the transformer's sequence: n_ctx, plus the lyric tokens ahead of them for single_enc_dec. */
    public int contextLength() {
        return config.sequenceLength();
    }

    /** Lyric tokens at the head of every sequence (single_enc_dec), else 0. */
    public int lyricPrefix() {
        return lyricPrefix;
    }

    /** Size of the lyric vocabulary this prior reads, 0 for an instrumental prior. */
    public int lyricVocab() {
        return lyricVocab;
    }

    /** Tokens of the joint sequence: the lyric tokens, then the music codes shifted past the lyric vocabulary. */
    public long[] jointSequence(int[] lyrics, long[] music) {
        if (lyricPrefix == 0) {
            throw new IllegalStateException("prior level " + config.level() + " has no joint lyrics sequence");
        }
        checkLyrics(lyrics);
        long[] out = new long[lyricPrefix + music.length];
        for (int i = 0; i < lyricPrefix; i++) {
            out[i] = lyrics[i];
        }
        for (int i = 0; i < music.length; i++) {
            if (music[i] < 0 || music[i] >= bins - lyricVocab) {
                throw new IllegalArgumentException("music code " + music[i] + " outside 0.." + (bins - lyricVocab - 1));
            }
            out[lyricPrefix + i] = music[i] + lyricVocab;
        }
        return out;
    }

    /**
     * The music code of a sampled joint token: the reference subtracts the shift and clamps at 0, so a lyric
     * token sampled in the music part becomes code 0.
     */
    public long musicCode(long jointToken) {
        return Math.max(jointToken - lyricVocab, 0);
    }

    private void checkLyrics(int[] lyrics) {
        if (lyrics == null || lyrics.length != config.nTokens()) {
            throw new IllegalArgumentException("prior level " + config.level() + " needs " + config.nTokens()
                    + " lyric tokens per window, got " + (lyrics == null ? "none" : lyrics.length));
        }
        for (int t : lyrics) {
            if (t < 0 || t >= lyricVocab) {
                throw new IllegalArgumentException("lyric token " + t + " outside 0.." + (lyricVocab - 1));
            }
        }
    }

    public boolean isUpsampler() {
        return upper != null;
    }

    /** Codes of the level above per window: n_ctx / downsample of them. */
    public int upperCodesPerWindow() {
        return upper == null ? 0 : config.nCtx() / upperDownsample;
    }

    /** Seconds of audio per position of this prior's level. */
    public double secondsPerToken() {
        return secondsPerToken;
    }

    /**
     * Bytes the CPU step kernel's key/value cache takes for one whole window of {@code rows} sequences (takes,
     * with their guidance twins) of a prior of config {@code c}, in {@code format}: known before the prior loads,
     * so a memory budget can count a job's cache (see {@link StepCache}).
     */
    public static long windowCacheBytes(PriorConfig c, int rows, DType format) {
        return StepCache.windowBytes(c, rows, format);
    }

    /** Whether this prior is conditioned on its prime's {@link PrimeTraits} (config {@code beat_clock}). */
    public boolean hasBeatClock() {
        return beatClock != null;
    }

    /**
     * Conditioning for a batch of {@code batch} windows. {@code rows} (one label row per window) may be
     * null only for a prior trained without labels; {@code upperCodes} (batch, n_ctx / down) int64 is
     * required for upsamplers and ignored otherwise.
     */
    public Conditioning condition(NDManager m, int batch, List<LabelRow> rows, NDArray upperCodes) {
        return condition(m, batch, rows, upperCodes, null);
    }

    /**
     * As above, with {@code traits} (one placed row per window, or one shared by all) for a beat-clocked
     * prior; they must be null for any other. {@link PrimeTraits#UNKNOWN} says nothing is known.
     */
    public Conditioning condition(NDManager m, int batch, List<LabelRow> rows, NDArray upperCodes,
                                  List<PrimeTraits.At> traits) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1");
        }
        if (this.labels != null && (rows == null || rows.size() != batch)) {
            throw new IllegalArgumentException("prior level " + config.level() + " needs one artist/genre/timing "
                    + "label row per window (" + batch + "), got " + (rows == null ? 0 : rows.size()));
        }
        NDArray start = this.labels != null ? this.labels.startEmbedding(m, rows)
                : m.zeros(new Shape(batch, config.width())).add(startToken);
        NDArray perPosition = null;
        if (upper != null) {
            if (upperCodes == null || upperCodes.getShape().get(0) != batch
                    || upperCodes.getShape().get(1) != upperCodesPerWindow()) {
                throw new IllegalArgumentException("upsampler level " + config.level() + " needs (" + batch + ", "
                        + upperCodesPerWindow() + ") codes of the level above");
            }
            checkCodes(upperCodes);
            perPosition = upper.forward(upperCodes);
        } else if (this.labels != null && this.labels.hasTimeSignal()) {
            perPosition = this.labels.timeSignal(m, rows, config.nCtx());
        }
        if (beatClock != null) {
            if (traits == null || (traits.size() != 1 && traits.size() != batch)) {
                throw new IllegalArgumentException("prior level " + config.level() + " has a beat clock: give its "
                        + "prime traits, once or per window (" + batch + "), got " + (traits == null ? 0 : traits.size()));
            }
            List<PrimeTraits.At> perWindow = traits.size() == batch ? traits
                    : java.util.Collections.nCopies(batch, traits.get(0));
            NDArray clock = beatClock.forward(m, perWindow, config.nCtx());
            perPosition = perPosition == null ? clock : perPosition.add(clock);
        } else if (traits != null) {
            throw new IllegalArgumentException("prior level " + config.level() + " has no beat clock to take traits");
        }
        if (lyricPrefix > 0) {
            // The reference conditions the lyric part of the joint sequence on nothing: zeros.
            NDArray none = m.zeros(new Shape(batch, lyricPrefix, config.width()));
            perPosition = perPosition == null ? null : none.concat(perPosition, 1);
        }
        NDArray encoderStates = null;
        if (config.usesLyrics()) {
            long[] tokens = new long[batch * config.nTokens()];
            for (int i = 0; i < batch; i++) {
                int[] lyrics = rows.get(i).lyrics();
                checkLyrics(lyrics);
                for (int j = 0; j < lyrics.length; j++) {
                    tokens[i * lyrics.length + j] = lyrics[j];
                }
            }
            if (lyricsEncoder != null) {
                encoderStates = lyricsEncoder.encode(m, m.create(tokens, new Shape(batch, config.nTokens())));
            }
        }
        return new Conditioning(start, perPosition, encoderStates);
    }

    /**
     * Lyric-token logits (B, n_tokens, n_vocab) of the separate lyrics encoder, for the reference's prime loss;
     * only for sep_enc_dec priors (single_enc_dec predicts lyrics in its ordinary logits).
     */
    public NDArray lyricsLogits(Conditioning cond) {
        if (lyricsEncoder == null || cond.encoderStates() == null) {
            throw new IllegalStateException("prior level " + config.level() + " has no separate lyrics encoder");
        }
        return lyricsEncoder.lyricsLogits(cond.encoderStates());
    }

    /**
     * Logits (B, c, bins) for positions [start, start + c) of the window, given the tokens before each:
     * {@code previous[:, i]} is the token at position start + i - 1 (ignored for position 0, which takes the
     * start embedding). Writes keys/values into {@code cache}, which must hold exactly {@code start}.
     */
    public NDArray forward(KvCache cache, Conditioning cond, NDArray previous, int start) {
        int c = (int) previous.getShape().get(1);
        long b = previous.getShape().get(0);
        if (cache.length() != start) {
            throw new IllegalStateException("cache holds " + cache.length() + " positions, asked to continue at " + start);
        }
        if (start + c > contextLength()) {
            throw new IllegalArgumentException("positions up to " + (start + c) + " exceed the context of "
                    + contextLength());
        }
        if (c > 1) {
            // Single steps come from the sampler, whose tokens are in range by construction; a chunk may
            // be a caller's prime, so it is checked before it can index past the embedding table.
            checkCodes(previous);
        }
        NDArray x = lookup(previous);
        if (start == 0) {
            NDArray first = cond.start().reshape(b, 1, config.width());
            x = c == 1 ? first : first.concat(x.get(":, 1:"), 1);
        }
        x = x.add(positionEmb.get(previous.getManager(), new NDIndex("{}:{}", start, start + c)));
        NDArray cond1 = cond.perPosition() == null ? null
                : cond.perPosition().get(new NDIndex(":, {}:{}", start, start + c));
        if (cond1 != null) {
            x = x.add(cond1);
        }
        x = transformer.forward(x, cache, start, cond.encoderStates());
        if (cond1 != null && addCondAfterTransformer) {
            x = x.add(cond1);
        }
        return project(x);
    }

    /**
     * Training forward: logits (B, n, bins) for every position of windows {@code tokens} (B, n) that start
     * at position 0, position i predicting {@code tokens[:, i]} from the tokens before it, as
     * {@link #forward} computes them one chunk at a time. n is a multiple of the block length, at most n_ctx.
     */
    public NDArray windowLogits(Conditioning cond, NDArray tokens) {
        int n = (int) tokens.getShape().get(1);
        long b = tokens.getShape().get(0);
        if (n < 1 || n > config.nCtx()) {
            throw new IllegalArgumentException("window of " + n + " tokens outside 1.." + config.nCtx());
        }
        checkCodes(tokens);
        NDArray first = cond.start().reshape(b, 1, config.width());
        NDArray x = n == 1 ? first : first.concat(lookup(tokens.get(":, :{}", n - 1)), 1);
        x = x.add(positionEmb.get(tokens.getManager(), new NDIndex("0:{}", n)));
        NDArray cond1 = cond.perPosition() == null ? null : cond.perPosition().get(new NDIndex(":, 0:{}", n));
        if (cond1 != null) {
            x = x.add(cond1);
        }
        x = transformer.forwardWindow(x);
        if (cond1 != null && addCondAfterTransformer) {
            x = x.add(cond1);
        }
        return project(x);
    }

    /** Token embeddings of {@code indices}, in the indices' manager. */
    private NDArray lookup(NDArray indices) {
        if (tokenHalf == null) {
            return Embeddings.lookup(tokenEmb, indices);
        }
        // The rows straight from the half matrix: widening the whole table for a chunk's tokens costs more.
        long[] tokens = indices.toLongArray();
        int width = config.width();
        float[] rows = new float[tokens.length * width];
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= bins) {
                throw new IllegalArgumentException("token " + tokens[i] + " outside 0.." + (bins - 1));
            }
            tokenHalf.column((int) tokens[i], rows, i * width);
        }
        return indices.getManager().create(rows, indices.getShape().addAll(new Shape(width)));
    }

    /** Logits of the states {@code x}, in x's manager. */
    private NDArray project(NDArray x) {
        if (outputHalf == null) {
            return Linear.linear(x, outputProj).singletonOrThrow();
        }
        try (NDManager scope = x.getManager().newSubManager()) {
            return x.matMul(outputHalf.widenedInByOut(scope));
        }
    }

    private void checkCodes(NDArray codes) {
        if (codes.getShape().size() > 0) {
            long min = codes.min().getLong();
            long max = codes.max().getLong();
            if (min < 0 || max >= bins) {
                throw new IllegalArgumentException("codes must lie in 0.." + (bins - 1) + ", found " + min + ".." + max);
            }
        }
    }

    /**
     * Steps over a prefilled cache. On the CPU they run in {@link CpuStepKernel} (unless the system
     * property {@code segue.cpuStepKernel} is false); elsewhere through the same DJL forward as prefill.
     * The cache must already hold the batch the steps will run at.
     */
    public StepSession openSteps(NDManager m, KvCache cache, Conditioning cond) {
        if (manager.getDevice().equals(Device.cpu())
                && Boolean.parseBoolean(System.getProperty("segue.cpuStepKernel", "true"))) {
            if (cache.length() == 0 && cond.encoderStates() != null) {
                transformer.writeEncoderKv(cache, cond.encoderStates());
            }
            return cpuKernel().open(m, cache, cond);
        }
        int n = cache.batch();
        return new StepSession() {
            @Override
            public float[] step(long[] previous, int t) {
                try (NDManager step = m.newSubManager()) {
                    return forward(cache, cond, step.create(previous, new Shape(n, 1)), t).toFloatArray();
                }
            }

            @Override
            public void shift(int positions) {
                if (lyricPrefix > 0) {
                    throw new UnsupportedOperationException("a lyrics prior's window cannot move: every window "
                            + "starts with its lyric tokens");
                }
                if (positions % config.blockCtx() != 0) {
                    throw new IllegalArgumentException("can only shift by whole blocks of " + config.blockCtx()
                            + ", asked " + positions);
                }
                cache.shift(positions);
            }
        };
    }

    private synchronized CpuStepKernel cpuKernel() {
        if (cpuKernel == null) {
            int width = config.width();
            float[] emb = tokenHalf == null ? tokenEmb.toFloatArray() : null;
            CpuStepKernel.TokenRows rows = tokenHalf != null ? tokenHalf::column
                    : (token, dst, off) -> System.arraycopy(emb, token * width, dst, off, width);
            StepMatrix out = outputHalf != null ? outputHalf
                    : new BlockedMatrix(outputProj == tokenEmb ? emb : outputProj.toFloatArray(), null, width, bins);
            cpuKernel = new CpuStepKernel(transformer.toKernelLayers(), rows, out, CpuStepKernel.view(positionEmb),
                    config.width(), config.attnState(), config.mlpState(), bins, contextLength(), addCondAfterTransformer);
        }
        return cpuKernel;
    }

    /** A cache for one window of {@code batch} sequences, owned by {@code m}'s subtree. */
    public KvCache newCache(NDManager m, int batch) {
        return transformer.newCache(m, batch);
    }

    /**
     * Bytes of weights one cached step reads: the transformer and the output projection, plus one row each
     * of the token and position embeddings. Label tables are read once per request, not per step.
     */
    public long stepWeightBytes() {
        long output = outputHalf != null ? outputHalf.bytes() : 4L * bins * config.width();
        long tokenRow = (tokenHalf != null ? 2L : 4L) * config.width();
        return transformer.weightBytes() + output + tokenRow + 4L * config.width();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (cpuKernel != null) {
                cpuKernel.close();
            }
        }
        manager.close();
    }
}
