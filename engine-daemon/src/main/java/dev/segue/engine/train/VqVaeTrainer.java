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
import dev.segue.engine.config.VqVaeConfig;
import dev.segue.engine.vqvae.VqVae;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Trains one level of the VQ-VAE (its encoder and decoder by Adam, its codebook by EMA with dead-code
 * restarts) on random segments of the training audio, through the engine's own {@link VqVae}. Loss:
 * waveform error relative to the segment's energy, plus a multi-resolution spectral term, plus the
 * commitment term pulling encoder outputs to their codes; optionally a log-magnitude spectral term
 * ({@link #withLogSpectral}). Each level has its own encoder, codebook and decoder, so training one level leaves
 * the others' weights, and the codes they give, exactly as they were.
 *
 * <p>{@link #decoderOnly} trains the level's decoder alone from trained weights: its encoder and codebook stay
 * exactly as they were, so the codes the level gives, and every prior trained on them, stay valid while what
 * the codes sound like changes.
 */
final class VqVaeTrainer {
    static final String STAGE = "vqvae";
    /** Segment length in samples: a multiple of every hop, long enough for the largest STFT. */
    static final int SEGMENT = 8192;
    static final float SPECTRAL_WEIGHT = 1.0f;
    /** The reference's commitment weight. */
    static final float COMMIT_WEIGHT = 0.02f;

    private final VqVaeConfig config;
    private final int level;
    private final Segments data;
    private final StageOptions options;
    private final PrintStream terminal;
    private final SpectralLoss spectral;
    /** Weights a run with no saved state starts from (the other levels kept as trained); null: random ones. */
    private Path initFrom;
    private boolean decoderOnly;
    private float logSpectralWeight;
    private final SpectralLoss logSpectral;

    VqVaeTrainer(VqVaeConfig config, int level, List<float[]> tracks, StageOptions options, PrintStream terminal) {
        if (SEGMENT % config.hopLength(level) != 0) {
            throw new IllegalArgumentException("segment " + SEGMENT + " is not a multiple of hop " + config.hopLength(level));
        }
        this.config = config;
        this.level = level;
        this.data = new Segments(tracks, SEGMENT);
        this.options = options;
        this.terminal = terminal;
        int base = Integer.highestOneBit(Math.max(256, config.sampleRate() / 16));
        this.spectral = SpectralLoss.linear(base * 2, base, base / 2);
        this.logSpectral = SpectralLoss.logarithmic(base * 2, base, base / 2, base / 4, base / 8);
    }

    /**
     * Trains only the level's decoder: the encoder and codebook keep the weights the run starts from (a saved
     * state or {@link #startingFrom}), so the level's codes do not change. The commitment term, which only the
     * encoder feels, leaves the loss.
     */
    VqVaeTrainer decoderOnly(boolean on) {
        this.decoderOnly = on;
        return this;
    }

    /**
     * Adds the log-magnitude spectral term ({@link SpectralLoss#logarithmic}, STFT sizes down to 4 ms at 16 kHz)
     * with this weight; 0, the default, leaves the loss as it was.
     */
    VqVaeTrainer withLogSpectral(double weight) {
        this.logSpectralWeight = (float) checkLogSpectral(weight);
        return this;
    }

    /** The log-spectral weight if it is in 0..100; otherwise a clear error, before any audio is loaded. */
    static double checkLogSpectral(double weight) {
        if (!(weight >= 0 && weight <= 100)) {
            throw new IllegalArgumentException("the log-spectral weight must be in 0..100, not " + weight);
        }
        return weight;
    }

    /**
     * Starts a run that finds no saved state from the VQ-VAE weights in {@code weights} (null: random ones): how
     * a lower level is trained beside a top level that is already trained and whose codes a prior was trained on.
     * The trained level's codebook starts from its first batch's encoder outputs, as in a fresh run.
     */
    VqVaeTrainer startingFrom(Path weights) {
        this.initFrom = weights;
        return this;
    }

    /** Runs to {@code options.steps()} (resuming a saved state unless fresh); returns the last losses. */
    Map<String, Double> run(NDManager root) throws IOException {
        Path statePath = StateFile.path(options.out(), STAGE);
        SafetensorsFile state = options.fresh() ? null : StateFile.open(statePath);
        long step = state == null ? 0 : StateFile.step(state, STAGE, level, config.levels() - 1);
        if (decoderOnly && state == null && initFrom == null) {
            throw new IllegalArgumentException("training the decoder alone keeps a trained encoder and codebook: give "
                    + "--init-vqvae FILE (or resume a saved state)");
        }
        ParameterSet params = new ParameterSet();
        Map<String, Double> last = new LinkedHashMap<>();
        try (WeightStore init = state == null && initFrom != null ? Checkpoints.open(initFrom) : null;
             NDManager model = root.newSubManager()) {
            GrownState grown = state == null && init != null ? new GrownState(init, options.seed()) : null;
            VqVae vqvae = new VqVae(config, state != null ? state : grown != null ? grown
                    : StateFile.weightsOrInit(null, options.seed()), model, params);
            if (grown != null) {
                // Every other level is kept as the file has it: a level the file lacked would stay random.
                for (String name : grown.added()) {
                    if (decoderOnly) {
                        throw new IllegalArgumentException("--init-vqvae " + initFrom + " has no " + name
                                + ": training the decoder alone needs the level's encoder and codebook trained");
                    }
                    if (!ofLevel(name)) {
                        throw new IllegalArgumentException("--init-vqvae " + initFrom + " has no " + name
                                + ": a VQ-VAE file of this config is needed, its other levels kept as they are");
                    }
                }
            }
            Set<String> trainable = new LinkedHashSet<>();
            for (String name : params.all().keySet()) {
                if (decoderOnly ? name.startsWith("decoders." + level + ".")
                        : ofLevel(name) && !name.startsWith("bottleneck.")) {
                    trainable.add(name);
                }
            }
            String codebookName = "bottleneck.level_blocks." + level + ".k";
            if (state != null && !decoderOnly && trainable.stream().anyMatch(n -> !state.contains("adam.m." + n))) {
                state.close();
                throw new IllegalArgumentException(statePath + " was saved by a run that trained the decoder alone: "
                        + "resume it with --vqvae-decoder-only, or start over with --fresh");
            }
            try (Adam adam = new Adam(model, params, trainable);
                 EmaCodebook codebook = new EmaCodebook(model, params.get(codebookName));
                 TrainingLog log = new TrainingLog(options.out().resolve("metrics.jsonl"), STAGE, step, options.steps(),
                         terminal)) {
                if (state != null) {
                    adam.restore(state, step);
                    codebook.restore("ema." + codebookName, state);
                    log.message("resumed at step " + step + " from " + statePath);
                    state.close();
                } else if (init != null) {
                    log.message("started from the weights in " + initFrom + "; only level " + level
                            + (decoderOnly ? "'s decoder" : "") + " trains");
                }
                if (logSpectralWeight > 0) {
                    log.message("log-magnitude spectral term, weight " + logSpectralWeight);
                }
                log.message(String.format("level %d, %,d trainable parameters, segments of %d samples x %d, %s",
                        level, count(params, trainable), SEGMENT, options.batch(), data.describe()));
                long deadline = options.maxMinutes() > 0
                        ? System.nanoTime() + (long) (options.maxMinutes() * 60e9) : Long.MAX_VALUE;
                while (options.continues(step) && System.nanoTime() < deadline) {
                    // Every step's randomness (batch, restarts) comes from (seed, step) alone, so a resumed
                    // run takes the same steps as one that never stopped.
                    Random random = StepRandom.of(options.seed(), step);
                    Engine.getInstance().setRandomSeed((int) StepRandom.mix(options.seed(), step));
                    last = trainStep(model, vqvae, adam, codebook, random, options.learningRateAt(step));
                    step++;
                    log.step(step, last, step % options.logEvery() == 0 || step == options.steps());
                    if (step % options.checkpointEvery() == 0 || step == options.steps()) {
                        save(statePath, step, params, adam, codebook, codebookName);
                    }
                }
                save(statePath, step, params, adam, codebook, codebookName);
                StateFile.exportWeights(options.out().resolve("vqvae.safetensors"), params.toTensorEntries(true),
                        STAGE, step);
                log.message("wrote " + options.out().resolve("vqvae.safetensors") + " at step " + step);
            }
        }
        return last;
    }

    private Map<String, Double> trainStep(NDManager model, VqVae vqvae, Adam adam, EmaCodebook codebook, Random random,
                                          double lr) {
        try (NDManager step = model.newSubManager()) {
            NDArray x = step.create(data.batch(random, options.batch()), new Shape(options.batch(), SEGMENT));
            Map<String, Double> m = new LinkedHashMap<>();
            // Decoder alone: the codes are fixed inputs, quantised outside the gradient with the codebook frozen.
            EmaCodebook.Quantised fixed = null;
            NDArray fixedLatents = null;
            if (decoderOnly) {
                fixed = codebook.quantise(vqvae.latents(x, level), false);
                fixedLatents = fixed.latents().stopGradient();
                fixedLatents.attach(step);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                EmaCodebook.Quantised q;
                NDArray latents;
                if (decoderOnly) {
                    q = fixed;
                    latents = fixedLatents;
                } else {
                    q = codebook.quantise(vqvae.latents(x, level), true);
                    latents = q.latents();
                }
                NDArray y = vqvae.decodeLatents(latents, level);
                NDArray energy = x.square().mean().add(1e-8f);
                NDArray recon = y.sub(x).square().mean().div(energy);
                NDArray spec = spectral.loss(x, y);
                NDArray loss = recon.add(spec.mul(SPECTRAL_WEIGHT));
                if (!decoderOnly) {
                    loss = loss.add(q.commitLoss().mul(COMMIT_WEIGHT));
                }
                NDArray logSpec = null;
                if (logSpectralWeight > 0) {
                    logSpec = logSpectral.loss(x, y);
                    loss = loss.add(logSpec.mul(logSpectralWeight));
                }
                gc.backward(loss);
                m.put("loss", (double) loss.getFloat());
                m.put("recon", (double) recon.getFloat());
                m.put("spectral", (double) spec.getFloat());
                if (logSpec != null) {
                    m.put("log_spectral", (double) logSpec.getFloat());
                }
                m.put("commit", (double) q.commitLoss().getFloat());
                m.put("codes_used", (double) q.usedCodes());
                m.put("perplexity", (double) q.perplexity());
                m.put("restarted", (double) codebook.lastRestarts());
            }
            m.put("grad_norm", adam.step(lr, 10.0));
            m.put("lr", lr);
            return m;
        }
    }

    private void save(Path statePath, long step, ParameterSet params, Adam adam, EmaCodebook codebook, String codebookName)
            throws IOException {
        List<TensorEntry> tensors = new ArrayList<>(params.toTensorEntries(false));
        adam.appendState(tensors);
        codebook.appendState("ema." + codebookName, tensors);
        StateFile.save(statePath, STAGE, level, step, options.seed(), tensors);
    }

    /** Whether a parameter belongs to the level this stage trains: its encoder, decoder or codebook. */
    private boolean ofLevel(String name) {
        return name.startsWith("encoders." + level + ".") || name.startsWith("decoders." + level + ".")
                || name.equals("bottleneck.level_blocks." + level + ".k");
    }

    private static long count(ParameterSet params, Set<String> names) {
        long n = 0;
        for (String name : names) {
            n += params.get(name).size();
        }
        return n;
    }
}
