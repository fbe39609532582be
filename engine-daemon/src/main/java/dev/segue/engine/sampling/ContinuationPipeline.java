package dev.segue.engine.sampling;

import dev.segue.engine.monitor.ForwardingMonitor;
import dev.segue.engine.monitor.Monitor;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.prior.TempoWarp;
import dev.segue.engine.vqvae.VqVae;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A prime to N takes, at the model's rate, mono. A top prior with a fixed beat ({@code beat_codes}) hears the
 * prime stretched to its tempo from the DAW's (or, without a DAW, the prime's measured tempo), and its takes are
 * stretched back ({@link TempoWarp}); everything below then runs at the prior's tempo. The prime is cut to the
 * top level's hop grid at its END (so the seam sits exactly where the prime stops) and encoded at every level
 * the tier needs; the top level is sampled window by window; each lower level is upsampled window by window from
 * the level above, with the prime's own codes of that level as its past; the lowest level is decoded, cut to
 * exactly the asked length, declicked and loudness-matched. Candidates share the first top window's prefill.
 */
public final class ContinuationPipeline {
    /** The reference's default hop fractions: the top level moves 1/8 of a window at a time, upsamplers 1/2. */
    public static final double TOP_HOP_FRACTION = 0.125;
    public static final double UPSAMPLER_HOP_FRACTION = 0.5;
    /** Top-level hops of prime decoded ahead of the take, so the decoder's receptive field spans the seam. */
    private static final int SEAM_CONTEXT_TOP_TOKENS = 8;
    /** Top-level tokens between two previews: a preview decodes, so it costs time on the sampling thread. */
    static final int PREVIEW_EVERY_TOKENS = 32;
    /**
     * The smallest piece (audio samples at the model rate) the VQ-VAE encodes or decodes at once; a level's piece is
     * also at least {@link VqVae#CHUNK_REACHES} times its reach ({@link VqVae#chunkSamples}), so the pieces' overlap
     * stays a small share of the work. A cancel is checked before each piece and each residual block inside it, so
     * a cancel while encoding or decoding waits for one block's convolutions, not for a piece.
     */
    public static final int CODEC_CHUNK_SAMPLES = 8192;
    private static final double DECLICK_SECONDS = 0.005;

    private final VqVae vqvae;
    private final TreeMap<Integer, Prior> priors;
    private final int topLevel;
    private final WindowCache windowCache;

    /** @param priors by level; the top one is required, upsamplers below it enable the deeper tiers */
    public ContinuationPipeline(VqVae vqvae, Map<Integer, Prior> priors) {
        this(vqvae, priors, WindowCache.SHIFT);
    }

    /** @param windowCache what the top level's windows keep of each other's key/value cache */
    public ContinuationPipeline(VqVae vqvae, Map<Integer, Prior> priors, WindowCache windowCache) {
        this.windowCache = windowCache;
        if (priors.isEmpty()) {
            throw new IllegalArgumentException("a continuation needs at least the top prior");
        }
        this.vqvae = vqvae;
        this.priors = new TreeMap<>(priors);
        this.topLevel = this.priors.lastKey();
        for (var e : this.priors.entrySet()) {
            if (e.getValue().config().level() != e.getKey()) {
                throw new IllegalArgumentException("prior for level " + e.getKey() + " says it is level "
                        + e.getValue().config().level());
            }
            if (e.getKey() != topLevel && !e.getValue().isUpsampler()) {
                throw new IllegalArgumentException("prior level " + e.getKey() + " is below the top but is not an upsampler");
            }
        }
    }

    public int sampleRate() {
        return vqvae.config().sampleRate();
    }

    public int topLevel() {
        return topLevel;
    }

    public Prior top() {
        return priors.get(topLevel);
    }

    /** Whether every level from the top down to the tier's lowest has its prior loaded. */
    public boolean supports(Tier tier) {
        for (int l = topLevel; l >= tier.lowestLevel(topLevel); l--) {
            if (!priors.containsKey(l)) {
                return false;
            }
        }
        return true;
    }

    /** Prior levels this model samples at its deepest tier (what a client sends temperatures for). */
    public int levels() {
        int n = 0;
        for (int l = topLevel; l >= 0 && priors.containsKey(l); l--) {
            n++;
        }
        return n;
    }

    /** Samples of model-rate audio per top-level token. */
    public int topHop() {
        return vqvae.config().hopLength(topLevel);
    }

    /**
     * @param perLevel sampling parameters, top level first; entries past the tier's depth are ignored
     */
    /**
     * @param song artist, genre and lyrics for a labelled top prior; {@link SongLabels#NONE} for the neutral
     *     labels. A lyrics prior labels each top window with its own position and lyric tokens.
     */
    public record Request(int candidates, Tier tier, List<SamplingParams> perLevel, boolean declick,
                          boolean matchLoudness, SongLabels song) {
        public Request(int candidates, Tier tier, List<SamplingParams> perLevel, boolean declick, boolean matchLoudness) {
            this(candidates, tier, perLevel, declick, matchLoudness, SongLabels.NONE);
        }

        public Request {
            if (song == null) {
                song = SongLabels.NONE;
            }
            if (candidates < 1) {
                throw new IllegalArgumentException("candidates must be at least 1, got " + candidates);
            }
            if (perLevel == null || perLevel.isEmpty()) {
                throw new IllegalArgumentException("give sampling parameters for at least the top level");
            }
            perLevel = List.copyOf(perLevel);
        }
    }

    /**
     * Takes and the codes behind them: per level (the tier's levels), one row per candidate, the prime's codes
     * first ({@code primeTopTokens} of them at the top level). The codes are what {@link #extend} continues.
     */
    public record Sampled(float[][] takes, Map<Integer, long[][]> codes, int primeTopTokens, PrimeTraits traits,
                          TempoWarp warp) {
        /** Takes of a prior that hears songs at their own tempo. */
        public Sampled(float[][] takes, Map<Integer, long[][]> codes, int primeTopTokens, PrimeTraits traits) {
            this(takes, codes, primeTopTokens, traits, null);
        }
    }

    /**
     * @param prime mono audio at the model rate, at least one top-level hop long
     * @param frames samples of continuation per candidate, at the model rate
     */
    public float[][] continueAudio(NDManager parent, float[] prime, long frames, Request request, Monitor monitor) {
        return continueWithCodes(parent, prime, frames, request, monitor).takes();
    }

    public Sampled continueWithCodes(NDManager parent, float[] prime, long frames, Request request, Monitor monitor) {
        return continueWithCodes(parent, prime, frames, request, null, monitor);
    }

    /**
     * As above, with the DAW's grid at the prime's first sample: a beat-clocked prior's clock then follows it
     * exactly ({@link PrimeTraits#fromGrid}); null measures the beat grid from the prime, as before.
     */
    public Sampled continueWithCodes(NDManager parent, float[] prime, long frames, Request request, PrimeTraits.Grid grid,
                                     Monitor monitor) {
        if (frames < 1) {
            throw new IllegalArgumentException("continuation length must be at least one sample, got " + frames);
        }
        if (top().config().beatCodes() == 0) {
            return sample(parent, prime, frames, request, grid, monitor);
        }
        PrimeTraits.Grid songGrid = grid != null ? grid : SongTempo.measured(prime, sampleRate(),
                () -> stopIfCancelled(monitor, "while measuring the prime's tempo"));
        if (songGrid == null) { // too short for a tempo: heard as it is, with a silent clock
            return sample(parent, prime, frames, request, null, monitor);
        }
        TempoWarp warp = TempoWarp.of(songGrid.bpm(), modelBpm());
        int rate = sampleRate();
        float[] heard = warp.toModel(prime, rate, () -> stopIfCancelled(monitor, "while stretching the prime"));
        Sampled sampled = sample(parent, heard, warp.modelFrames(frames), request, warp.modelGrid(songGrid),
                SongTempo.previews(monitor, warp, rate));
        float[][] takes = sampled.takes();
        for (int c = 0; c < takes.length; c++) {
            String stage = "while stretching take " + c;
            takes[c] = warp.fromModel(takes[c], (int) frames, rate, () -> stopIfCancelled(monitor, stage));
        }
        return new Sampled(takes, sampled.codes(), sampled.primeTopTokens(), sampled.traits(), warp);
    }

    /** The tempo a prior with a fixed beat hears every song at; NaN for a prior that hears them as they are. */
    public double modelBpm() {
        int beat = top().config().beatCodes();
        return beat == 0 ? Double.NaN : TempoWarp.modelBpm(sampleRate(), topHop(), beat);
    }

    /** {@link #continueWithCodes} at the prior's own tempo. */
    private Sampled sample(NDManager parent, float[] prime, long frames, Request request, PrimeTraits.Grid grid,
                           Monitor monitor) {
        int lowest = checkTier(request);
        int hop = topHop(); // frames >= 1: continueWithCodes checked it
        if (prime.length < hop) {
            throw new IllegalArgumentException("prime of " + prime.length + " samples is shorter than one top-level hop ("
                    + hop + " samples, " + String.format("%.1f", 1000.0 * hop / sampleRate()) + " ms at the model rate)");
        }
        long newTopLong = (frames + hop - 1) / hop;
        int primeTop = Math.min(prime.length / hop, top().config().nCtx());
        if (primeTop + newTopLong > Integer.MAX_VALUE / hop) {
            throw new IllegalArgumentException("continuation of " + frames + " samples is too long");
        }
        int totalTop = primeTop + (int) newTopLong;
        float[] aligned = Arrays.copyOfRange(prime, prime.length - primeTop * hop, prime.length);
        int n = request.candidates();
        try (NDManager m = parent.newSubManager()) {
            Map<Integer, long[][]> known = new TreeMap<>();
            for (int level = topLevel; level >= lowest; level--) {
                String stage = "while encoding level " + level;
                known.put(level, new long[][] {vqvae.encodeChunked(m, aligned, level,
                        vqvae.chunkSamples(level, CODEC_CHUNK_SAMPLES),
                        () -> stopIfCancelled(monitor, stage))});
            }
            // A beat-clocked top prior hears the tempo and pitch of the prime it is given: the part in its window,
            // its beats the DAW's where a grid is given (the clock's origin is the cut prime's first sample).
            Runnable measuring = () -> stopIfCancelled(monitor, "while measuring the prime");
            PrimeTraits traits = !top().hasBeatClock() ? null : grid == null
                    ? PrimeTraits.measure(aligned, sampleRate(), measuring)
                    : PrimeTraits.fromGrid(grid, (double) (prime.length - aligned.length) / sampleRate(), aligned,
                            sampleRate(), measuring);
            // Bar by bar only on the DAW's bars: a measured clock knows no downbeat, so its "bars" would cut chords.
            if (traits != null && grid != null && top().config().barChroma()) {
                traits = traits.withBarCycle(aligned, sampleRate(), measuring);
            }
            stopIfCancelled(monitor, "before sampling");
            Map<Integer, long[][]> codes = sampleLevels(m, known, n, totalTop, lowest, request, traits, frames, monitor);
            float[][] out = new float[n][];
            int primeTokens = primeTop * (hop / vqvae.config().hopLength(lowest));
            for (int c = 0; c < n; c++) {
                stopIfCancelled(monitor, "before decoding take " + c);
                long[] tokens = codes.get(lowest)[c];
                Decoded d = decode(m, tokens, lowest, primeTokens, tokens.length, frames, monitor);
                out[c] = d.take;
                if (request.declick()) {
                    SeamPolish.declick(out[c], prime[prime.length - 1], d.reconstructedLast,
                            (int) Math.round(DECLICK_SECONDS * sampleRate()));
                }
                if (request.matchLoudness()) {
                    SeamPolish.matchLoudness(out[c], prime, sampleRate());
                }
            }
            return new Sampled(out, codes, primeTop, traits);
        }
    }

    /**
     * One finished take continued further: its codes are kept, only the new tokens (and the context of any new
     * window) are sampled. Returns the WHOLE take, from its first sample to {@code takeFrames + extraFrames},
     * decoded at the model rate without seam polish, so the caller can cut the new part at the DAW rate exactly
     * and match it to the take as the listener heard it.
     *
     * @param codes the take's codes per level (one row each), as {@link Sampled#codes()} gave them
     * @param takeFrames the take's length so far at the model rate
     * @param traits the prime's traits as {@link Sampled#traits()} gave them; null when they were not kept
     *     (a beat-clocked prior is then told nothing is known)
     */
    public Sampled extend(NDManager parent, Map<Integer, long[]> codes, int primeTopTokens, long takeFrames,
                          long extraFrames, PrimeTraits traits, Request request, Monitor monitor) {
        return extend(parent, codes, primeTopTokens, takeFrames, extraFrames, traits, null, request, monitor);
    }

    /**
     * As above for a take made through {@code warp} ({@link Sampled#warp()}; null: none): the codes go on at the
     * prior's tempo, and the whole take comes back at the song's, {@code takeFrames + extraFrames} samples.
     */
    public Sampled extend(NDManager parent, Map<Integer, long[]> codes, int primeTopTokens, long takeFrames,
                          long extraFrames, PrimeTraits traits, TempoWarp warp, Request request, Monitor monitor) {
        if (warp == null) {
            return extendAtModelTempo(parent, codes, primeTopTokens, takeFrames, extraFrames, traits, request, monitor);
        }
        if (takeFrames < 1 || extraFrames < 1) {
            throw new IllegalArgumentException("take of " + takeFrames + " samples cannot be extended by " + extraFrames);
        }
        long heardTake = warp.modelFrames(takeFrames);
        long heardAll = Math.max(heardTake + 1, warp.modelFrames(takeFrames + extraFrames));
        Sampled sampled = extendAtModelTempo(parent, codes, primeTopTokens, heardTake, heardAll - heardTake, traits,
                request, monitor);
        long all = takeFrames + extraFrames;
        if (all > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("extension of " + extraFrames + " samples is too long");
        }
        float[] whole = warp.fromModel(sampled.takes()[0], (int) all, sampleRate(),
                () -> stopIfCancelled(monitor, "while stretching the take"));
        return new Sampled(new float[][] {whole}, sampled.codes(), primeTopTokens, sampled.traits(), warp);
    }

    private Sampled extendAtModelTempo(NDManager parent, Map<Integer, long[]> codes, int primeTopTokens, long takeFrames,
                                       long extraFrames, PrimeTraits traits, Request request, Monitor monitor) {
        int lowest = checkTier(request);
        if (request.candidates() != 1) {
            throw new IllegalArgumentException("an extension continues one take");
        }
        int hop = topHop();
        Map<Integer, long[][]> known = new TreeMap<>();
        for (int level = topLevel; level >= lowest; level--) {
            long[] row = codes.get(level);
            int expected = codes.get(topLevel) == null ? -1 : codes.get(topLevel).length * (hop / vqvae.config().hopLength(level));
            if (row == null || row.length != expected) {
                throw new IllegalArgumentException("the take has no codes of level " + level + " to extend from (tier "
                        + request.tier().name().toLowerCase() + ")");
            }
            known.put(level, new long[][] {row});
        }
        int haveTop = codes.get(topLevel).length;
        if (primeTopTokens < 1 || takeFrames < 1 || extraFrames < 1
                || (long) primeTopTokens * hop + takeFrames > (long) haveTop * hop) {
            throw new IllegalArgumentException("take of " + takeFrames + " samples does not match its " + haveTop + " codes");
        }
        long endSample = (long) primeTopTokens * hop + takeFrames + extraFrames;
        long totalTopLong = (endSample + hop - 1) / hop;
        if (totalTopLong > Integer.MAX_VALUE / hop) {
            throw new IllegalArgumentException("extension of " + extraFrames + " samples is too long");
        }
        int totalTop = (int) totalTopLong;
        PrimeTraits clock = !top().hasBeatClock() ? null : traits == null ? PrimeTraits.UNKNOWN : traits;
        try (NDManager m = parent.newSubManager()) {
            Map<Integer, long[][]> all = totalTop <= haveTop ? known
                    : sampleLevels(m, known, 1, totalTop, lowest, request, clock, 0, monitor);
            stopIfCancelled(monitor, "before decoding");
            long[] tokens = all.get(lowest)[0];
            int primeTokens = primeTopTokens * (hop / vqvae.config().hopLength(lowest));
            Decoded d = decode(m, tokens, lowest, primeTokens, tokens.length, takeFrames + extraFrames, monitor);
            return new Sampled(new float[][] {d.take}, all, primeTopTokens, clock);
        }
    }

    /** A check between stages, so a cancel never waits for the rest of a job's encoding or decoding. */
    static void stopIfCancelled(Monitor monitor, String stage) {
        if (monitor.cancelled()) {
            throw new CancelledException(stage);
        }
    }

    private int checkTier(Request request) {
        int lowest = request.tier().lowestLevel(topLevel);
        if (!supports(request.tier())) {
            throw new IllegalArgumentException("tier " + request.tier().name().toLowerCase() + " needs the priors of levels "
                    + lowest + ".." + topLevel + "; this model has " + priors.keySet());
        }
        if (request.perLevel().size() < topLevel - lowest + 1) {
            throw new IllegalArgumentException("tier " + request.tier().name().toLowerCase() + " samples "
                    + (topLevel - lowest + 1) + " levels; got parameters for " + request.perLevel().size());
        }
        return lowest;
    }

    /** Each level from the top down to {@code lowest}, the upsamplers conditioned on the level above. */
    private Map<Integer, long[][]> sampleLevels(NDManager m, Map<Integer, long[][]> known, int n, int totalTop, int lowest,
                                                Request request, PrimeTraits traits, long previewFrames, Monitor monitor) {
        int hop = topHop();
        Map<Integer, long[][]> codes = new TreeMap<>();
        long[][] tokens = null;
        for (int level = topLevel; level >= lowest; level--) {
            Prior prior = priors.get(level);
            int total = totalTop * (hop / vqvae.config().hopLength(level));
            long[][] have = known.get(level);
            SamplingParams params = request.perLevel().get(topLevel - level);
            double hopFraction = level == topLevel ? TOP_HOP_FRACTION : UPSAMPLER_HOP_FRACTION;
            WindowedSampler sampler = new WindowedSampler(prior, hopFraction, windowCache);
            Monitor lm = levelMonitor(m, level, have[0].length, previewFrames, monitor);
            if (level == topLevel && prior.config().usesLyrics()) {
                WindowedSampler.WindowLabels labels = request.song().perWindow(prior.config(), total,
                        vqvae.config().hopLength(level));
                tokens = sampler.sample(m, have, n, total, tokens, labels, params, lm);
            } else {
                // Upsamplers keep the neutral row; the request's artist and genre name ids of the top prior's lists.
                List<LabelRow> labels = !prior.config().labels() ? null
                        : level == topLevel ? request.song().fixedRow(prior.config()) : LabelRow.neutral(prior.config());
                tokens = sampler.sample(m, have, n, total, tokens, (start, length) -> labels,
                        level == topLevel ? traits : null, params, lm);
            }
            codes.put(level, tokens);
        }
        return codes;
    }

    /** The caller's monitor, with the top level's tokens turned into previews on the way. */
    private Monitor levelMonitor(NDManager m, int level, int primeTokens, long frames, Monitor monitor) {
        boolean previews = level == topLevel;
        int hop = topHop();
        return new ForwardingMonitor(monitor) {
            private long sent;

            @Override
            public void tokens(int at, int done, long[][] tokens) {
                monitor.tokens(at, done, tokens);
                int fresh = done - primeTokens;
                if (!previews || frames <= 0 || fresh <= 0 || fresh % PREVIEW_EVERY_TOKENS != 0) {
                    return;
                }
                long end = Math.min(frames, (long) fresh * hop);
                if (end <= sent) {
                    return;
                }
                // Only the tokens since the last preview are decoded, with a few codes before them for the
                // decoder's receptive field: decoding the whole take each time made a long take's previews
                // cost quadratic time (a 39 s take spent most of its 80 s decoding previews).
                int fromToken = primeTokens + (int) (sent / hop);
                int context = Math.min(fromToken, SEAM_CONTEXT_TOP_TOKENS);
                for (int c = 0; c < tokens.length; c++) {
                    if (monitor.cancelled()) {
                        return; // the sampler stops at its next token; no use decoding the rest
                    }
                    long[] span = Arrays.copyOfRange(tokens[c], fromToken - context, done);
                    try (NDManager scope = m.newSubManager()) {
                        float[] audio = vqvae.decode(scope.create(span, new Shape(1, span.length)), topLevel).toFloatArray();
                        int from = context * hop;
                        monitor.preview(c, sent, Arrays.copyOfRange(audio, from, from + (int) (end - sent)));
                    }
                }
                sent = end;
            }
        };
    }

    private record Decoded(float[] take, float reconstructedLast) {}

    /**
     * Audio of the tokens [primeTokens, end) at {@code level}, cut to at most {@code frames} samples. A few prime
     * codes are decoded in front so the decoder's receptive field spans the seam; their last sample is the
     * decoder's version of the prime's last sample (for declicking), and they are then dropped.
     */
    private Decoded decode(NDManager m, long[] tokens, int level, int primeTokens, int end, long frames,
                           Monitor monitor) {
        int levelHop = vqvae.config().hopLength(level);
        int context = Math.min(primeTokens, SEAM_CONTEXT_TOP_TOKENS * (topHop() / levelHop));
        long[] span = Arrays.copyOfRange(tokens, primeTokens - context, end);
        float[] all = vqvae.decodeChunked(m, span, level, vqvae.chunkSamples(level, CODEC_CHUNK_SAMPLES),
                () -> stopIfCancelled(monitor, "while decoding"));
        int length = (int) Math.min(frames, (long) (end - primeTokens) * levelHop);
        int at = context * levelHop;
        return new Decoded(Arrays.copyOfRange(all, at, at + length), at > 0 ? all[at - 1] : 0f);
    }
}
