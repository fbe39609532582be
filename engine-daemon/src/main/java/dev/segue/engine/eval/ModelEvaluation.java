package dev.segue.engine.eval;

import dev.segue.engine.monitor.Monitor;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.analysis.Chroma;
import dev.segue.engine.analysis.TempoEstimator;
import dev.segue.engine.corpus.Clip;
import dev.segue.engine.audio.StereoImage;
import dev.segue.engine.corpus.CorpusGenerator;
import dev.segue.engine.corpus.SongPlanner;
import dev.segue.engine.corpus.SongSpec;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.TempoWarp;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.Tier;
import dev.segue.engine.vqvae.VqVae;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Evaluates a VQ-VAE and top prior on held-out corpus clips (seeds from
 * {@link CorpusGenerator#HELD_OUT_SEED_BASE}, never used for training), rendered at the model's rate:
 * reconstruction per level, codebook usage, prior bits per token against a unigram fitted on training
 * clips, prime/continuation coherence of sketch-tier continuations against a shuffled baseline, and, given
 * the upsampler below the top prior, its draft rendering of each clip's true top-level codes and, for a
 * beat-clocked prior, the draft tier's take on the DAW's grid read beside the sketch tier's ({@link TierRows}).
 */
public final class ModelEvaluation {
    private ModelEvaluation() {}

    /**
     * @param heldOutClips clips evaluated (at least 2, for the shuffled baseline)
     * @param trainingClips training-seed clips the unigram baseline is fitted on
     * @param clipSeconds length of each clip; its end is the true continuation of its start
     * @param continuationSeconds asked continuation length, capped at half the prior's window
     * @param levels VQ-VAE levels whose reconstruction and usage are reported (the top level is always
     *     encoded, for the prior); empty for all. A level left at its initial weights is not worth the time
     *     to measure.
     */
    public record Options(int heldOutClips, int trainingClips, double clipSeconds, double continuationSeconds,
                          double temperature, long samplingSeed, java.util.Set<Integer> levels) {
        public Options {
            levels = levels == null ? java.util.Set.of() : java.util.Set.copyOf(levels);
            if (heldOutClips < 2 || heldOutClips > 1000 || trainingClips < 1 || trainingClips > 10000
                    || !(clipSeconds >= 1 && clipSeconds <= 120) || !(continuationSeconds > 0)
                    || !(temperature > 0 && temperature <= 5)) {
                throw new IllegalArgumentException("eval options out of range: " + this);
            }
        }
    }

    /** Per VQ-VAE level: reconstruction and codebook usage on the held-out clips. */
    public record LevelResult(int level, int hop, double scJukeboxDb, double scMultiResolutionDb, double perplexity,
                              int codesUsed, int bins) {}

    /**
     * The top prior on held-out codes. {@code ownPrimeBits} and {@code otherPrimeBits}: bits per token of the
     * true continuation (from {@link #SEAM_SKIP} tokens after the prime's end) after its own prime and after
     * the next clip's prime: how much the prior takes from its prime, whatever audio features can see.
     */
    public record PriorResult(int level, double bitsPerToken, double unigramBitsPerToken, double uniformBits,
                              long tokens, double ownPrimeBits, double otherPrimeBits) {}

    /**
     * Continuation tokens left out after the seam when the prime is swapped: the join of two clips is a jump
     * whatever the prior knows, and what is measured is what it carries over from further back.
     */
    static final int SEAM_SKIP = 64;

    /** The onset shares by lag: the grid moved by eighths of a beat, each about the width of the ±30 ms window at 120 BPM. */
    public static final int ONSET_LAGS = 8;

    /**
     * How far the features can be trusted: whole clips whose estimated tempo agrees with the composed one,
     * whose estimated key is the composed key, and primes whose estimated beats fall within
     * {@link #BEAT_TOLERANCE_S} of the composed beats (the beat-clocked prior's grid).
     */
    public record FeatureCheck(int tempoAgrees, int keyExact, int beatsPlaced, int clips) {}

    static final double BEAT_TOLERANCE_S = 0.030;

    /**
     * The draft tier's rendering ({@link DraftRendering}): the upsampler of {@code level} on each clip's true codes
     * of the level above, decoded, against the true continuation; beside it, the same true continuation through
     * the VQ-VAE at that level and at the top level (what a perfect upsampler, and the sketch tier, could give).
     */
    public record DraftResult(int level, double scJukeboxDb, double scMultiResolutionDb, double codecScJukeboxDb,
                              double topScJukeboxDb, int clips, double temperatureScale) {}

    public record Result(String model, int sampleRate, Options options, double primeSeconds,
                         double continuationSeconds, List<LevelResult> levels, PriorResult prior, DraftResult draft,
                         Coherence.Scores generated, Coherence.Scores truth, Coherence.Scores truthCoded,
                         Coherence.Composed generatedVsComposed, Coherence.Composed truthVsComposed,
                         Motion motion, FeatureCheck check, GridRows grid, List<TierRows.Row> tiers) {}

    /**
     * The DAW's grid and stereo rows. {@code onGrid}: the model sampled with the clip's composed grid as its
     * beat clock (what the daemon does with a DAW's context; null for a prior without a beat clock), against
     * the primes and against what was composed. Onset shares ({@link GridOnsets}) on each clip's composed grid:
     * the model with the estimated clock, with the grid clock, the true continuation, and shuffled (the
     * model's take, grid clock where there is one, against the next clip's grid). {@code lagsModel} and
     * {@code lagsTruth}: the onset share of that take and of the true continuation against the clip's grid moved
     * later by k / {@link #ONSET_LAGS} of a beat (entry 0 is the unmoved grid), which tells onsets at a constant
     * lag from the grid from onsets with no pulse; {@code lagsTruthCoded}, the same of the true continuation
     * decoded from its top-level codes: what a prior that placed every code right would score. Stereo
     * ({@link StereoAgreement} per clip, averaged): each clip's stereo variant
     * ({@link CorpusGenerator#stereoClip}) as the prime, the take made stereo with its image
     * ({@link dev.segue.engine.audio.StereoImage}); beside it the piece's own continuation, and L = R.
     */
    public record GridRows(Coherence.Scores onGrid, Coherence.Composed onGridVsComposed, double onsetsMeasured,
                           double onsetsGrid, double onsetsTruth, double onsetsShuffled, double[] lagsModel,
                           double[] lagsTruth, double[] lagsTruthCoded, StereoAgreement.Agreement stereoTake,
                           StereoAgreement.Agreement stereoTruth, StereoAgreement.Agreement stereoDualMono) {}

    /**
     * Mean {@link dev.segue.engine.analysis.Chroma#motion} of the primes, the model's continuations, the true
     * continuations and the true continuations through the VQ-VAE: a take can match its prime's pitch set by
     * holding it, and this shows whether it does.
     */
    public record Motion(double primes, double model, double modelOnGrid, double truth, double truthCoded) {}

    public static Result run(NDManager root, String modelName, VqVae vqvae, Prior top, CorpusGenerator corpus,
                             Options o, PrintStream log) throws IOException {
        return run(root, modelName, vqvae, top, null, corpus, o, log);
    }

    /**
     * As above; with {@code draft} (the upsampler below the top prior; null for none) and its level reported
     * ({@link Options#levels}), also the draft tier's rendering of each clip's true continuation.
     */
    public static Result run(NDManager root, String modelName, VqVae vqvae, Prior top, Prior draft,
                             CorpusGenerator corpus, Options o, PrintStream log) throws IOException {
        int sr = vqvae.config().sampleRate();
        int levels = vqvae.config().levels();
        int topLevel = top.config().level();
        int topHop = vqvae.config().hopLength(levels - 1);
        for (int l : o.levels()) {
            if (l < 0 || l >= levels) {
                throw new IllegalArgumentException("level " + l + " outside 0.." + (levels - 1));
            }
        }
        // The daemon's own continuation path at the sketch tier, kept within one window of the top prior.
        ContinuationPipeline sketch = new ContinuationPipeline(vqvae, java.util.Map.of(topLevel, top));
        long oneWindow = (long) (top.config().nCtx() - 1) * topHop;
        int continuation = (int) Math.min(Math.round(o.continuationSeconds() * sr), oneWindow / 2);
        int clipFrames = (int) (Math.round(o.clipSeconds() * sr) / topHop * topHop);
        int primeFrames = clipFrames - continuation;
        if (primeFrames < topHop * 2) {
            throw new IllegalArgumentException("clips of " + o.clipSeconds() + " s leave no room for a prime before a "
                    + continuation / (double) sr + " s continuation");
        }

        log.printf("eval: unigram baseline from %d training clips (seeds %d..)%n", o.trainingClips(),
                CorpusGenerator.TRAINING_SEED_BASE);
        CodeStatistics unigram = new CodeStatistics(vqvae.config().lBins());
        for (int i = 0; i < o.trainingClips(); i++) {
            Clip c = corpus.clip(CorpusGenerator.TRAINING_SEED_BASE + i, clipFrames / (double) sr, sr);
            unigram.add(encode(root, vqvae, trim(c.audio(), clipFrames), topLevel));
        }

        double[] scJukebox = new double[levels];
        double[] scMulti = new double[levels];
        CodeStatistics[] usage = new CodeStatistics[levels];
        for (int l = 0; l < levels; l++) {
            usage[l] = new CodeStatistics(vqvae.config().lBins());
        }
        PriorScoring.Tally priorBits = new PriorScoring.Tally();
        double unigramBits = 0;
        long unigramTokens = 0;
        List<Coherence.Features> primes = new ArrayList<>();
        List<Coherence.Features> generated = new ArrayList<>();
        List<Coherence.Features> truth = new ArrayList<>();
        // The true continuation as the top level's codes decode it: what a prior that predicted every code
        // right would give. It separates what the VQ-VAE loses from what the prior fails to carry over.
        List<Coherence.Features> truthCoded = new ArrayList<>();
        List<long[]> topCodes = new ArrayList<>();
        List<Integer> primeTokensOf = new ArrayList<>(); // each clip's prime in top codes, as its prior hears it
        // A beat-clocked prior is scored as it samples: told its prime's traits, measured on the prime.
        List<PrimeTraits> primeTraits = new ArrayList<>();
        int tempoAgrees = 0;
        int keyExact = 0;
        int beatsPlaced = 0;
        double[] composedBpm = new double[o.heldOutClips()];
        List<Chroma.EstimatedKey> composedKeys = new ArrayList<>();
        List<LabelRow> labels = top.config().labels() ? LabelRow.neutral(top.config()) : null;
        List<Coherence.Features> onGrid = new ArrayList<>();
        double[] onsets = new double[4];  // sums: measured clock, grid clock, truth, shuffled
        int[] onsetCounts = new int[4];
        // sums by lag: the model's take (grid clock if any), truth, truth through the VQ-VAE's top level
        double[][] lags = new double[3][ONSET_LAGS];
        int[] lagCounts = new int[3];
        double[][] stereo = new double[3][2];  // take, truth, L = R: sums of mean |difference| and share within
        int[] stereoCounts = new int[3];
        boolean drafting = draft != null && reported(o, draft.config().level());
        double[] draftSc = new double[4];  // rendering (two measures), codec at its level, codec at the top level
        // The draft tier's takes on the DAW's grid, as the daemon makes them, read beside the sketch tier's.
        boolean tiered = drafting && top.hasBeatClock();
        ContinuationPipeline drafted = !tiered ? null
                : new ContinuationPipeline(vqvae, java.util.Map.of(topLevel, top, draft.config().level(), draft));
        TierRows tierRows = new TierRows(!tiered ? List.of() : List.of(
                "sketch take, the DAW's grid as the clock",
                "draft take, the DAW's grid as the clock",
                "draft rendering of the true continuation's level-" + topLevel + " codes",
                "true continuation through the VQ-VAE's level " + draft.config().level(),
                "true continuation through the VQ-VAE's level " + topLevel + " (the sketch tier's codec)",
                "true continuation"));
        for (int i = 0; i < o.heldOutClips(); i++) {
            long seed = CorpusGenerator.HELD_OUT_SEED_BASE + i;
            Clip clip = corpus.clip(seed, clipFrames / (double) sr, sr);
            float[] audio = trim(clip.audio(), clipFrames);
            log.printf("eval: held-out clip %d/%d (seed %d, %s, %d BPM)%n", i + 1, o.heldOutClips(), seed,
                    clip.spec().key(), clip.spec().bpm());
            float[][] decodedAt = new float[levels][];
            PrimeTraits traits = top.hasBeatClock() ? PrimeTraits.measure(Arrays.copyOf(audio, primeFrames), sr) : null;
            primeTraits.add(traits);
            for (int l = 0; l < levels; l++) {
                if (!reported(o, l) && l != topLevel) {
                    continue;
                }
                long[] codes = encode(root, vqvae, audio, l);
                usage[l].add(codes);
                // Decoded once: for the reconstruction rows, the draft rows' codec rows and, at the top level, the
                // coded true continuation.
                float[] decoded = reported(o, l) || l == topLevel ? decode(root, vqvae, codes, l) : null;
                decodedAt[l] = decoded;
                if (reported(o, l)) {
                    scJukebox[l] += SpectralConvergence.ratio(audio, decoded, SpectralConvergence.JUKEBOX)
                            / o.heldOutClips();
                    scMulti[l] += SpectralConvergence.ratio(audio, decoded, SpectralConvergence.MULTI_RESOLUTION)
                            / o.heldOutClips();
                }
                if (l == topLevel) {
                    truthCoded.add(Coherence.Features.of(
                            Arrays.copyOfRange(decoded, primeFrames, primeFrames + continuation), sr));
                    // A prior with a fixed beat is scored on what it hears: the clip at its tempo.
                    long[] scored = codes;
                    int scoredPrime = primeFrames / topHop;
                    if (!Double.isNaN(sketch.modelBpm())) {
                        TempoWarp heard = TempoWarp.of(clip.spec().bpm(), sketch.modelBpm());
                        float[] h = heard.toModel(audio, sr, () -> { });
                        scored = encode(root, vqvae, trim(h, h.length / topHop * topHop), topLevel);
                        int heardPrime = (int) Math.round(primeFrames * heard.ratio());
                        traits = PrimeTraits.measure(Arrays.copyOf(h, heardPrime), sr);
                        primeTraits.set(primeTraits.size() - 1, traits);
                        scoredPrime = heardPrime / topHop;
                    }
                    topCodes.add(scored);
                    primeTokensOf.add(scoredPrime);
                    PriorScoring.score(root, top, scored, traits, priorBits);
                    unigramBits += unigram.unigramBitsPerToken(codes, 0.5) * codes.length;
                    unigramTokens += codes.length;
                }
            }
            float[] prime = Arrays.copyOf(audio, primeFrames);
            float[] realNext = Arrays.copyOfRange(audio, primeFrames, primeFrames + continuation);
            float[] rendered = null;
            if (drafting) {
                rendered = DraftRendering.continuation(root, vqvae, draft, audio, primeFrames,
                        new SamplingParams(o.temperature(), 0, 0.0, o.samplingSeed() + i));
                int dl = draft.config().level();
                float[] codec = Arrays.copyOfRange(decodedAt[dl], primeFrames, clipFrames);
                float[] sketched = Arrays.copyOfRange(decodedAt[topLevel], primeFrames, clipFrames);
                draftSc[0] += SpectralConvergence.ratio(realNext, rendered, SpectralConvergence.JUKEBOX);
                draftSc[1] += SpectralConvergence.ratio(realNext, rendered, SpectralConvergence.MULTI_RESOLUTION);
                draftSc[2] += SpectralConvergence.ratio(realNext, codec, SpectralConvergence.JUKEBOX);
                draftSc[3] += SpectralConvergence.ratio(realNext, sketched, SpectralConvergence.JUKEBOX);
            }
            ContinuationPipeline.Request request = new ContinuationPipeline.Request(1, Tier.SKETCH,
                    List.of(new SamplingParams(o.temperature(), 0, 0.0, o.samplingSeed() + i)), true, true);
            float[] next = sketch.continueAudio(root, prime, continuation, request, new Monitor() {})[0];
            // The same take with the clip's composed grid as the clock, as the daemon does with a DAW's context.
            double bpm = clip.spec().bpm();
            PrimeTraits.Grid grid = new PrimeTraits.Grid(bpm, clip.spec().beatsPerBar(),
                    clip.spec().offsetSeconds() * bpm / 60);
            float[] nextOnGrid = !top.hasBeatClock() ? null : sketch.continueWithCodes(root, prime, continuation, request,
                    grid, new Monitor() {}).takes()[0];
            if (nextOnGrid != null) {
                onGrid.add(Coherence.Features.of(nextOnGrid, sr));
            }
            // A beat of the composed grid relative to the continuation's start: the piece's first downbeat.
            double beat = -(clip.spec().offsetSeconds() + primeFrames / (double) sr);
            Chroma.EstimatedKey composedKey = new Chroma.EstimatedKey(clip.spec().key().tonic(),
                    clip.spec().key().mode() == dev.segue.engine.corpus.Key.Mode.MAJOR, 1);
            if (tiered) {
                SamplingParams params = new SamplingParams(o.temperature(), 0, 0.0, o.samplingSeed() + i);
                ContinuationPipeline.Request deeper = new ContinuationPipeline.Request(1, Tier.DRAFT,
                        List.of(params, params), true, true);
                float[] draftTake = drafted.continueWithCodes(root, prime, continuation, deeper, grid,
                        new Monitor() {}).takes()[0];
                int dl = draft.config().level();
                tierRows.add(List.of(nextOnGrid, draftTake, Arrays.copyOf(rendered, continuation),
                        Arrays.copyOfRange(decodedAt[dl], primeFrames, primeFrames + continuation),
                        Arrays.copyOfRange(decodedAt[topLevel], primeFrames, primeFrames + continuation), realNext),
                        sr, bpm, beat, composedKey);
            }
            float[] ours = nextOnGrid != null ? nextOnGrid : next;
            SongSpec nextSpec = SongPlanner.plan(CorpusGenerator.HELD_OUT_SEED_BASE + (i + 1) % o.heldOutClips(),
                    clipFrames / (double) sr);
            double[][] byLag = {GridOnsets.byLag(ours, sr, bpm, beat, ONSET_LAGS),
                    GridOnsets.byLag(realNext, sr, bpm, beat, ONSET_LAGS),
                    GridOnsets.byLag(Arrays.copyOfRange(decodedAt[topLevel], primeFrames, primeFrames + continuation), sr,
                            bpm, beat, ONSET_LAGS)};
            for (int k = 0; k < 3; k++) {
                if (!Double.isNaN(byLag[k][0])) {
                    for (int l = 0; l < ONSET_LAGS; l++) {
                        lags[k][l] += byLag[k][l];
                    }
                    lagCounts[k]++;
                }
            }
            double[] shares = {GridOnsets.share(next, sr, bpm, beat),
                    nextOnGrid == null ? Double.NaN : byLag[0][0],
                    byLag[1][0],
                    GridOnsets.share(ours, sr, nextSpec.bpm(), -(nextSpec.offsetSeconds() + primeFrames / (double) sr))};
            for (int k = 0; k < 4; k++) {
                if (!Double.isNaN(shares[k])) {
                    onsets[k] += shares[k];
                    onsetCounts[k]++;
                }
            }
            // Stereo: the clip's panned stereo rendering as the prime; the take gets its image.
            float[] st = corpus.stereoClip(seed, clipFrames / (double) sr, sr);
            float[] primeStereo = Arrays.copyOf(st, 2 * primeFrames);
            float[][] pl = StereoImage.split(primeStereo);
            StereoImage.Bands primeBands = StereoImage.bands(pl[0], pl[1], sr);
            float[][] tl = StereoImage.split(StereoImage.measure(primeStereo, 2, sr).render(ours, prime));
            float[][] rl = StereoImage.split(Arrays.copyOfRange(st, 2 * primeFrames, 2 * (primeFrames + continuation)));
            StereoAgreement.Agreement[] agreements = {
                    StereoAgreement.of(primeBands, StereoImage.bands(tl[0], tl[1], sr)),
                    StereoAgreement.of(primeBands, StereoImage.bands(rl[0], rl[1], sr)),
                    StereoAgreement.of(primeBands, StereoImage.bands(ours, ours, sr))};
            for (int k = 0; k < 3; k++) {
                if (agreements[k].bands() > 0) {
                    stereo[k][0] += agreements[k].meanAbsDifference();
                    stereo[k][1] += agreements[k].shareWithin();
                    stereoCounts[k]++;
                }
            }
            primes.add(Coherence.Features.of(prime, sr));
            generated.add(Coherence.Features.of(next, sr));
            truth.add(Coherence.Features.of(realNext, sr));
            composedBpm[i] = clip.spec().bpm();
            composedKeys.add(composedKey);
            Coherence.Features whole = Coherence.Features.of(audio, sr);
            tempoAgrees += TempoEstimator.agree(whole.bpm(), clip.spec().bpm(), Coherence.TEMPO_TOLERANCE) ? 1 : 0;
            beatsPlaced += beatsPlaced(prime, sr, clip.spec().bpm(), clip.spec().offsetSeconds()) ? 1 : 0;
            keyExact += Coherence.sameKey(whole.key(), composedKey) ? 1 : 0;
        }
        List<LevelResult> levelResults = new ArrayList<>();
        for (int l = 0; l < levels; l++) {
            if (!reported(o, l)) {
                continue;
            }
            levelResults.add(new LevelResult(l, vqvae.config().hopLength(l), SpectralConvergence.toDb(scJukebox[l]),
                    SpectralConvergence.toDb(scMulti[l]), usage[l].perplexity(), usage[l].used(), vqvae.config().lBins()));
        }
        PriorScoring.Tally own = new PriorScoring.Tally();
        PriorScoring.Tally other = new PriorScoring.Tally();
        int n = topCodes.size();
        for (int i = 0; i < n; i++) {
            int primeTokens = primeTokensOf.get(i);
            long[] codes = Arrays.copyOf(topCodes.get(i), Math.min(topCodes.get(i).length, top.config().nCtx()));
            if (codes.length <= primeTokens + SEAM_SKIP) {
                continue; // a continuation too short to measure past the seam
            }
            PriorScoring.score(root, top, codes, primeTraits.get(i), primeTokens + SEAM_SKIP, own);
            // The same continuation after the next clip's prime (cut to the context, as sampling would).
            int j = (i + 1) % n;
            int otherPrime = primeTokensOf.get(j);
            long[] swapped = new long[Math.min(otherPrime + codes.length - primeTokens, top.config().nCtx())];
            System.arraycopy(topCodes.get(j), 0, swapped, 0, Math.min(otherPrime, swapped.length));
            if (swapped.length > otherPrime) {
                System.arraycopy(codes, primeTokens, swapped, otherPrime, swapped.length - otherPrime);
            }
            if (swapped.length > otherPrime + SEAM_SKIP) {
                PriorScoring.score(root, top, swapped, primeTraits.get(j), otherPrime + SEAM_SKIP, other);
            }
        }
        PriorResult prior = new PriorResult(topLevel, priorBits.bitsPerToken(), unigramBits / unigramTokens,
                Math.log(top.bins()) / Math.log(2), priorBits.tokens, own.bitsPerToken(), other.bitsPerToken());
        int clips = o.heldOutClips();
        DraftResult draftResult = !drafting ? null : new DraftResult(draft.config().level(),
                SpectralConvergence.toDb(draftSc[0] / clips), SpectralConvergence.toDb(draftSc[1] / clips),
                SpectralConvergence.toDb(draftSc[2] / clips), SpectralConvergence.toDb(draftSc[3] / clips), clips,
                draft.config().temperatureScale());
        return new Result(modelName, sr, o, primeFrames / (double) sr, continuation / (double) sr, levelResults, prior,
                draftResult,
                Coherence.score(primes, generated), Coherence.score(primes, truth), Coherence.score(primes, truthCoded),
                Coherence.againstComposed(generated, composedBpm, composedKeys),
                Coherence.againstComposed(truth, composedBpm, composedKeys),
                new Motion(Coherence.meanMotion(primes), Coherence.meanMotion(generated),
                        onGrid.isEmpty() ? Double.NaN : Coherence.meanMotion(onGrid), Coherence.meanMotion(truth),
                        Coherence.meanMotion(truthCoded)),
                new FeatureCheck(tempoAgrees, keyExact, beatsPlaced, o.heldOutClips()),
                new GridRows(onGrid.isEmpty() ? null : Coherence.score(primes, onGrid),
                        onGrid.isEmpty() ? null : Coherence.againstComposed(onGrid, composedBpm, composedKeys),
                        mean(onsets[0], onsetCounts[0]), mean(onsets[1], onsetCounts[1]),
                        mean(onsets[2], onsetCounts[2]), mean(onsets[3], onsetCounts[3]),
                        means(lags[0], lagCounts[0]), means(lags[1], lagCounts[1]), means(lags[2], lagCounts[2]),
                        agreement(stereo[0], stereoCounts[0]), agreement(stereo[1], stereoCounts[1]),
                        agreement(stereo[2], stereoCounts[2])), tierRows.rows());
    }

    private static double mean(double sum, int n) {
        return n == 0 ? Double.NaN : sum / n;
    }

    private static double[] means(double[] sums, int n) {
        double[] m = new double[sums.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = mean(sums[i], n);
        }
        return m;
    }

    private static StereoAgreement.Agreement agreement(double[] sums, int clips) {
        return new StereoAgreement.Agreement(mean(sums[0], clips), mean(sums[1], clips), clips);
    }

    /**
     * Whether the beats estimated on {@code prime} fall on the composed ones: the composed piece starts on a
     * beat, so its beats lie at multiples of 60 / bpm before the clip's offset. Compared modulo the shorter
     * of the two periods, so a tempo read at half or double still places its beats on composed ones.
     */
    static boolean beatsPlaced(float[] prime, int sr, double composedBpm, double offsetSeconds) {
        if (prime.length < TempoEstimator.minSeconds() * sr) {
            return false;
        }
        TempoEstimator.Beat beat = TempoEstimator.estimateBeat(prime, sr);
        if (!TempoEstimator.agree(beat.bpm(), composedBpm, Coherence.TEMPO_TOLERANCE)) {
            return false;
        }
        double period = Math.min(60 / beat.bpm(), 60 / composedBpm);
        double composedPeriod = 60 / composedBpm;
        double composedFirst = ((-offsetSeconds) % composedPeriod + composedPeriod) % composedPeriod;
        double d = Math.IEEEremainder(beat.firstBeatSeconds() - composedFirst, period);
        return Math.abs(d) <= BEAT_TOLERANCE_S;
    }

    private static boolean reported(Options o, int level) {
        return o.levels().isEmpty() || o.levels().contains(level);
    }

    private static float[] trim(float[] audio, int frames) {
        return audio.length == frames ? audio : Arrays.copyOf(audio, frames);
    }

    private static long[] encode(NDManager root, VqVae vqvae, float[] audio, int level) {
        try (NDManager m = root.newSubManager()) {
            return vqvae.encode(m.create(audio, new Shape(1, audio.length)), level).toLongArray();
        }
    }

    private static float[] decode(NDManager root, VqVae vqvae, long[] codes, int level) {
        try (NDManager m = root.newSubManager()) {
            return vqvae.decode(m.create(codes, new Shape(1, codes.length)), level).toFloatArray();
        }
    }
}
