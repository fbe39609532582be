package dev.segue.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.ParameterSet;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.config.VqVaeConfig;
import dev.segue.engine.prior.Conditioning;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains a prior (the top level's, or an upsampler below it) by next-token cross-entropy on windows of VQ-VAE codes, through the engine's
 * own {@link Prior} ({@link Prior#windowLogits}). Windows always start at position 0 of the context, as
 * a continuation's window does at sampling time (prime first, then the new tokens). A prior with labels is
 * trained on one neutral label row with the window's true timing. A beat-clocked prior is told the
 * {@link PrimeTraits} of audio at the head of each window, measured there as sampling measures its prime:
 * a random 3 to 12 s, and each trait dropped one time in ten, so it also learns to go on without them.
 * Given each track's composed grid ({@code segue train --clock grid}), the clock is instead that grid at the
 * window's start ({@link PrimeTraits#fromGrid}, as sampling builds it from a DAW's context), except in a share
 * of windows that keep the estimator's reading, so the prior still follows a prime given without a tempo.
 * A prior with {@code bar_chroma} is told its grid-clocked heads' chroma bar by bar
 * ({@link PrimeTraits#withBarCycle}), as sampling tells it a prime's on the DAW's grid.
 */
final class PriorTrainer {
    static final String STAGE = "prior";
    private static final double HEAD_MIN_SECONDS = 3;
    private static final double HEAD_MAX_SECONDS = 12;
    private static final double TRAIT_DROPOUT = 0.1;

    private final PriorConfig config;
    private final VqVaeConfig vqvae;
    private final List<long[]> tokens;
    /** Each track's audio, beside its codes, for a beat-clocked prior's traits; null for any other. */
    private final List<float[]> audio;
    /** Each track's composed grid at its first sample, beside its codes; null: the clock is measured. */
    private final List<PrimeTraits.Grid> grids;
    /** With grids: the share of windows whose clock is measured all the same. */
    private final double measuredShare;
    /** An upsampler's codes of the level above, beside {@link #tokens}; null for a top prior. */
    private List<long[]> upper;
    /** Codes of this level per code of the level above (1 for a top prior): windows start on a multiple. */
    private int down = 1;
    private final StageOptions options;
    private final PrintStream terminal;
    private final int window;
    /** Weights a run with no saved state starts from (fine-tuning); null: random initialisation. */
    private Path initFrom;
    /** Tracks given, and the indices of those long enough for a window ({@link #tokens}' order). */
    private final int allTokens;
    private final List<Integer> keptIndex = new ArrayList<>();

    PriorTrainer(PriorConfig config, VqVaeConfig vqvae, List<long[]> tokens, int window, StageOptions options,
                 PrintStream terminal) {
        this(config, vqvae, tokens, null, window, options, terminal);
    }

    /** {@code audio}: the tracks {@code tokens} were encoded from, in the same order; required with a beat clock. */
    PriorTrainer(PriorConfig config, VqVaeConfig vqvae, List<long[]> tokens, List<float[]> audio, int window,
                 StageOptions options, PrintStream terminal) {
        this(config, vqvae, tokens, audio, null, 0, window, options, terminal);
    }

    /**
     * {@code grids}: each track's composed grid at its first sample, in the order of {@code tokens} (null: the
     * clock is measured); {@code measuredShare} of the windows are clocked by the estimator all the same.
     */
    PriorTrainer(PriorConfig config, VqVaeConfig vqvae, List<long[]> tokens, List<float[]> audio,
                 List<PrimeTraits.Grid> grids, double measuredShare, int window, StageOptions options,
                 PrintStream terminal) {
        if (config.beatClock() && (audio == null || audio.size() != tokens.size())) {
            // (checked first: nothing below runs for a beat-clocked prior without its audio)
            throw new IllegalArgumentException("a beat-clocked prior trains on codes with the audio they came from");
        }
        if (grids != null && (!config.beatClock() || grids.size() != tokens.size())) {
            throw new IllegalArgumentException(config.beatClock() ? "one composed grid per track is needed"
                    : "only a beat-clocked prior (\"beat_clock\": true) trains on a grid");
        }
        if (!(measuredShare >= 0 && measuredShare <= 1)) {
            throw new IllegalArgumentException("the share of measured clocks must be in 0..1, got " + measuredShare);
        }
        if (window < 2 || window > config.nCtx() || window % config.blockCtx() != 0) {
            throw new IllegalArgumentException("window " + window + " must be 2..n_ctx and a multiple of the block "
                    + "length " + config.blockCtx());
        }
        this.config = config;
        this.vqvae = vqvae;
        List<long[]> kept = new ArrayList<>();
        List<float[]> keptAudio = new ArrayList<>();
        List<PrimeTraits.Grid> keptGrids = new ArrayList<>();
        this.allTokens = tokens.size();
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).length >= window) {
                keptIndex.add(i);
                kept.add(tokens.get(i));
                keptAudio.add(audio == null ? null : audio.get(i));
                keptGrids.add(grids == null ? null : grids.get(i));
            }
        }
        this.tokens = kept;
        this.audio = config.beatClock() ? keptAudio : null;
        this.grids = grids == null ? null : keptGrids;
        this.measuredShare = measuredShare;
        if (this.tokens.isEmpty()) {
            throw new IllegalArgumentException("no track is at least " + window + " level-" + config.level() + " codes ("
                    + (long) window * vqvae.hopLength(config.level()) / vqvae.sampleRate() + " s) long");
        }
        this.window = window;
        this.options = options;
        this.terminal = terminal;
    }

    /**
     * Makes this an upsampler's training: {@code upperCodes} are the codes of the level above, track by track as
     * {@code tokens}, which condition each window. Windows start on a code of the level above, so each sees its
     * codes exactly as sampling gives them.
     */
    PriorTrainer conditionedOn(List<long[]> upperCodes) {
        if (config.level() == vqvae.levels() - 1) {
            throw new IllegalArgumentException("only an upsampler (a prior below the top level) trains on the codes "
                    + "of the level above");
        }
        if (window != config.nCtx()) {
            throw new IllegalArgumentException("an upsampler trains on whole windows of n_ctx " + config.nCtx()
                    + " codes, as its conditioning is sampled; not " + window);
        }
        int downsample = vqvae.downsample(config.level() + 1);
        if (upperCodes.size() != allTokens) {
            throw new IllegalArgumentException(upperCodes.size() + " tracks of upper codes for " + allTokens);
        }
        List<long[]> kept = new ArrayList<>();
        for (int i : keptIndex) {
            long[] u = upperCodes.get(i);
            if ((long) u.length * downsample < tokens.get(kept.size()).length / downsample * downsample) {
                throw new IllegalArgumentException("track " + i + " has " + u.length + " codes of the level above for "
                        + tokens.get(kept.size()).length + " of level " + config.level());
            }
            kept.add(u);
        }
        this.upper = kept;
        this.down = downsample;
        return this;
    }

    /**
     * Starts a run that finds no saved state from the prior weights in {@code weights} (null: random ones), with
     * the optimizer's moments at zero and the schedule from step 0. Parameters the file lacks are initialised as
     * a fresh run would; every parameter the file holds must have the shape the config gives.
     */
    PriorTrainer startingFrom(Path weights) {
        this.initFrom = weights;
        return this;
    }

    Map<String, Double> run(NDManager root) throws IOException {
        Path statePath = StateFile.path(options.out(), STAGE);
        SafetensorsFile state = options.fresh() ? null : StateFile.open(statePath);
        if (config.level() != vqvae.levels() - 1 && upper == null) {
            throw new IllegalArgumentException("the upsampler of level " + config.level()
                    + " trains on the codes of the level above: none were given");
        }
        long step = state == null ? 0 : StateFile.step(state, STAGE, config.level(), vqvae.levels() - 1);
        ParameterSet params = new ParameterSet();
        Map<String, Double> last = new LinkedHashMap<>();
        String file = "prior_level_" + config.level() + ".safetensors";
        // The starting weights are read once, into the model's own tensors; closed with the run (also on a failure).
        try (WeightStore init = state == null && initFrom != null ? Checkpoints.open(initFrom) : null;
             NDManager model = root.newSubManager()) {
            GrownState grown = state != null ? new GrownState(state, options.seed())
                    : init != null ? new GrownState(init, options.seed()) : null;
            Prior prior = new Prior(config, vqvae, grown == null ? new TrainingInit(options.seed(), 1.0) : grown,
                    model, params);
            try (Adam adam = new Adam(model, params, params.all().keySet());
                 TrainingLog log = new TrainingLog(options.out().resolve("metrics.jsonl"), STAGE, step, options.steps(),
                         terminal)) {
                if (state != null) {
                    adam.restore(state, step, grown.added());
                    log.message("resumed at step " + step + " from " + statePath);
                    if (!grown.added().isEmpty()) {
                        log.message("new parameters, initialised fresh: " + String.join(", ", grown.added()));
                    }
                    state.close();
                } else if (init != null) {
                    log.message("started from the weights in " + initFrom + ", the optimizer and schedule fresh");
                    if (!grown.added().isEmpty()) {
                        log.message("parameters the file lacks, initialised fresh: " + String.join(", ", grown.added()));
                    }
                }
                long codes = 0;
                for (long[] t : tokens) {
                    codes += t.length;
                }
                log.message(String.format("level %d, %,d parameters, windows of %d codes x %d, %d tracks, %,d codes",
                        config.level(), params.elementCount(), window, options.batch(), tokens.size(), codes));
                long deadline = options.maxMinutes() > 0
                        ? System.nanoTime() + (long) (options.maxMinutes() * 60e9) : Long.MAX_VALUE;
                while (options.continues(step) && System.nanoTime() < deadline) {
                    // Every step's randomness (batch, restarts) comes from (seed, step) alone, so a resumed
                    // run takes the same steps as one that never stopped.
                    Random random = StepRandom.of(options.seed(), step);
                    Engine.getInstance().setRandomSeed((int) StepRandom.mix(options.seed(), step));
                    last = trainStep(model, prior, adam, random, options.learningRateAt(step));
                    step++;
                    log.step(step, last, step % options.logEvery() == 0 || step == options.steps());
                    if (step % options.checkpointEvery() == 0 || step == options.steps()) {
                        save(statePath, step, params, adam);
                    }
                }
                save(statePath, step, params, adam);
                StateFile.exportWeights(options.out().resolve(file), params.toTensorEntries(true), STAGE, step);
                log.message("wrote " + options.out().resolve(file) + " at step " + step);
            }
        }
        return last;
    }

    /** Mean cross-entropy in nats per code; also reported as accuracy of the most likely code. */
    private Map<String, Double> trainStep(NDManager model, Prior prior, Adam adam, Random random, double lr) {
        int batch = options.batch();
        long[] flat = new long[batch * window];
        int upperWindow = window / down;
        long[] upperFlat = upper == null ? null : new long[batch * upperWindow];
        List<LabelRow> rows = config.labels() ? new ArrayList<>() : null;
        List<PrimeTraits.At> traits = audio != null ? new ArrayList<>() : null;
        for (int b = 0; b < batch; b++) {
            int pick = random.nextInt(tokens.size());
            long[] track = tokens.get(pick);
            // A top prior's windows start anywhere; an upsampler's on a code of the level above (down > 1).
            int offset = random.nextInt((track.length - window) / down + 1) * down;
            System.arraycopy(track, offset, flat, b * window, window);
            if (upperFlat != null) {
                System.arraycopy(upper.get(pick), offset / down, upperFlat, b * upperWindow, upperWindow);
            }
            if (rows != null) {
                rows.add(labelRow(track.length, offset));
            }
            if (traits != null) {
                traits.add(headTraits(audio.get(pick), grids == null ? null : grids.get(pick), offset, random).at(0));
            }
        }
        try (NDManager step = model.newSubManager()) {
            NDArray x = step.create(flat, new Shape(batch, window));
            Map<String, Double> m = new LinkedHashMap<>();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray upperCodes = upperFlat == null ? null : step.create(upperFlat, new Shape(batch, upperWindow));
                Conditioning cond = prior.condition(step, batch, rows, upperCodes, traits);
                NDArray logits = prior.windowLogits(cond, x);
                NDArray logp = logits.logSoftmax(-1);
                NDArray loss = logp.gather(x.expandDims(-1), -1).neg().mean();
                gc.backward(loss);
                m.put("loss", (double) loss.getFloat());
                m.put("bits_per_code", loss.getFloat() / Math.log(2));
                m.put("accuracy", (double) logits.argMax(-1).eq(x).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .mean().getFloat());
            }
            m.put("grad_norm", adam.step(lr, 1.0));
            m.put("lr", lr);
            return m;
        }
    }

    /**
     * Traits of a random 3 to 12 s of audio from the window's start (the part a prime would be); with the
     * track's composed {@code grid}, its beats from the grid (but in {@code measuredShare} of windows).
     */
    private PrimeTraits headTraits(float[] track, PrimeTraits.Grid grid, int offsetCodes, Random random) {
        int hop = vqvae.hopLength(config.level());
        int rate = vqvae.sampleRate();
        double seconds = Math.min(HEAD_MIN_SECONDS + random.nextDouble() * (HEAD_MAX_SECONDS - HEAD_MIN_SECONDS),
                (double) window * hop / rate);
        int from = Math.min(offsetCodes * hop, track.length);
        int to = Math.min(track.length, from + (int) (seconds * rate));
        PrimeTraits t = clock(java.util.Arrays.copyOfRange(track, from, to), rate, grid, (double) from / rate,
                measuredShare, config.barChroma(), random);
        boolean dropTempo = random.nextDouble() < TRAIT_DROPOUT;
        boolean dropChroma = random.nextDouble() < TRAIT_DROPOUT;
        t = dropTempo ? t.withoutTempo() : t;
        return dropChroma ? t.withoutChroma() : t;
    }

    /**
     * The traits of {@code head}, audio starting {@code headSeconds} into its track: measured, or with the
     * track's {@code grid} (null: none) its beats from the grid, but in {@code measuredShare} of the calls.
     * Without a grid nothing is drawn from {@code random}, so measured-clock runs take the steps they always did.
     * With {@code barChroma} a grid clock also hears the head's chroma bar by bar, as sampling does; the draws
     * are the same either way.
     */
    static PrimeTraits clock(float[] head, int rate, PrimeTraits.Grid grid, double headSeconds, double measuredShare,
                             boolean barChroma, Random random) {
        if (grid != null && random.nextDouble() >= measuredShare) {
            PrimeTraits t = PrimeTraits.fromGrid(grid, headSeconds, head, rate);
            return barChroma ? t.withBarCycle(head, rate, () -> { }) : t;
        }
        return PrimeTraits.measure(head, rate);
    }

    /** The neutral label row (artist 0, genre 0) with this window's timing in samples. */
    private LabelRow labelRow(long trackCodes, long offsetCodes) {
        int hop = vqvae.hopLength(config.level());
        int[] genres = new int[config.maxBowGenreSize()];
        java.util.Arrays.fill(genres, -1);
        genres[0] = 0;
        long min = (long) Math.ceil(config.minDuration() * config.sampleRate());
        long total = Math.max(trackCodes * hop, min);
        return new LabelRow(total, offsetCodes * hop, (long) window * hop, 0, genres);
    }

    private void save(Path statePath, long step, ParameterSet params, Adam adam) throws IOException {
        List<TensorEntry> tensors = new ArrayList<>(params.toTensorEntries(false));
        adam.appendState(tensors);
        StateFile.save(statePath, STAGE, config.level(), step, options.seed(), tensors);
    }
}
