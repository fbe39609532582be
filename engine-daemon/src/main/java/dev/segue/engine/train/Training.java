package dev.segue.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.corpus.Clip;
import dev.segue.engine.corpus.CorpusGenerator;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.TempoWarp;
import dev.segue.engine.vqvae.VqVae;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * {@code segue train}: one level of the VQ-VAE, then that level's prior on the codes the VQ-VAE gives, each
 * resumable from its state file, writing a model folder laid out like the reference fixture. The top level
 * by default; a lower level's prior is an upsampler, trained on that level's codes with the codes of the
 * level above as its conditioning.
 */
public final class Training {
    private Training() {}

    /**
     * {@code initPrior}: a top-prior weight file ({@code prior_level_N.safetensors}) that a prior stage with no
     * saved state starts from instead of random weights (fine-tuning); null for random weights. A saved state in
     * {@code out} still wins unless {@code fresh}.
     */
    public record Plan(Path config, Path audio, boolean synthetic, int songs, double songSeconds, Path out, String stage, long vqvaeSteps,
                       long priorSteps, int vqvaeBatch, int priorBatch, double vqvaeLr, double priorLr,
                       Integer priorWindow, double maxMinutes, long stopAtStep, long seed, int checkpointEvery, int logEvery,
                       boolean fresh, String clock, double clockMeasuredShare, Path initPrior, Integer level,
                       Path initVqvae, boolean vqvaeDecoderOnly, double vqvaeLogSpectral) {
    }

    public static void run(Plan plan, PrintStream terminal) throws IOException {
        if (!List.of("vqvae", "prior", "all", "eval").contains(plan.stage())) {
            throw new IllegalArgumentException("--stage must be vqvae, prior, all or eval, not " + plan.stage());
        }
        if (!List.of("measured", "grid").contains(plan.clock())) {
            throw new IllegalArgumentException("--clock must be measured or grid, not " + plan.clock());
        }
        if (plan.clock().equals("grid") && plan.synthetic() && plan.audio() == null) {
            throw new IllegalArgumentException("--clock grid needs the corpus (its composed grids); synthetic songs have none");
        }
        if (plan.initPrior() != null && (plan.stage().equals("vqvae") || plan.stage().equals("eval"))) {
            throw new IllegalArgumentException("--init-prior starts a prior stage; --stage " + plan.stage()
                    + " trains no prior");
        }
        if (plan.initPrior() != null && !Files.isRegularFile(plan.initPrior())) {
            throw new IllegalArgumentException("--init-prior " + plan.initPrior() + ": no such file");
        }
        if (plan.initVqvae() != null && !List.of("vqvae", "all").contains(plan.stage())) {
            throw new IllegalArgumentException("--init-vqvae starts a VQ-VAE stage; --stage " + plan.stage()
                    + " trains no VQ-VAE");
        }
        if (plan.initVqvae() != null && !Files.isRegularFile(plan.initVqvae())) {
            throw new IllegalArgumentException("--init-vqvae " + plan.initVqvae() + ": no such file");
        }
        if ((plan.vqvaeDecoderOnly() || plan.vqvaeLogSpectral() != 0) && !List.of("vqvae", "all").contains(plan.stage())) {
            throw new IllegalArgumentException("--vqvae-decoder-only and --vqvae-log-spectral shape a VQ-VAE stage; "
                    + "--stage " + plan.stage() + " trains no VQ-VAE");
        }
        VqVaeTrainer.checkLogSpectral(plan.vqvaeLogSpectral());
        ModelConfig config = ModelConfig.load(plan.config());
        int top = config.vqvae().levels() - 1;
        int level = plan.level() == null ? top : plan.level();
        if (level < 0 || level > top) {
            throw new IllegalArgumentException("--level must be 0.." + top + " (the VQ-VAE's levels), not " + level);
        }
        PriorConfig prior = config.priors().get(level);
        if (prior == null && !plan.stage().equals("vqvae")) {
            throw new IllegalArgumentException(plan.config() + " has no prior of level " + level);
        }
        if (level < top && List.of("vqvae", "all").contains(plan.stage()) && plan.initVqvae() == null
                && (plan.fresh() || !Files.isRegularFile(StateFile.path(plan.out(), VqVaeTrainer.STAGE)))) {
            throw new IllegalArgumentException("--level " + level + " trains beside a trained VQ-VAE: give --init-vqvae "
                    + "FILE (its level " + (level + 1) + " gives the codes an upsampler is conditioned on)");
        }
        if (level < top && plan.clock().equals("grid")) {
            throw new IllegalArgumentException("--clock grid clocks a top prior; an upsampler follows the codes above it");
        }
        if (prior != null && prior.beatCodes() > 0 && List.of("prior", "all", "eval").contains(plan.stage())
                && !plan.clock().equals("grid")) {
            throw new IllegalArgumentException("the prior has beat_codes " + prior.beatCodes() + ": it hears every song "
                    + "at one tempo, so it trains on the corpus stretched from its composed tempi: give --clock grid");
        }
        Files.createDirectories(plan.out());
        Path configCopy = plan.out().resolve("config.json");
        if (!Files.exists(configCopy) || !Files.isSameFile(plan.config(), configCopy)) {
            Files.copy(plan.config(), configCopy, StandardCopyOption.REPLACE_EXISTING);
        }
        int rate = config.vqvae().sampleRate();
        long t0 = System.nanoTime();
        List<float[]> tracks = loadAudio(plan, rate, terminal);
        terminal.printf("train: %d tracks at %d Hz (%.0f s of audio) ready in %.1f s%n", tracks.size(), rate,
                tracks.stream().mapToLong(t -> t.length).sum() / (double) rate, (System.nanoTime() - t0) / 1e9);
        try (NDManager root = Djl.cpuManager()) {
            if (plan.stage().equals("eval")) {
                List<PrimeTraits.Grid> grids = plan.clock().equals("grid") ? grids(plan, tracks.size()) : null;
                evaluate(plan, config, prior, prior.beatCodes() > 0 ? heard(tracks, grids, config, level, terminal)
                        : tracks, root, terminal);
                return;
            }
            if (!plan.stage().equals("prior")) {
                StageOptions o = new StageOptions(plan.out(), plan.vqvaeSteps(), plan.vqvaeBatch(), plan.vqvaeLr(),
                        plan.seed(), plan.checkpointEvery(), plan.logEvery(), plan.fresh(), plan.maxMinutes(),
                        plan.stopAtStep());
                Map<String, Double> last = new VqVaeTrainer(config.vqvae(), level, tracks, o, terminal)
                        .startingFrom(plan.initVqvae()).decoderOnly(plan.vqvaeDecoderOnly())
                        .withLogSpectral(plan.vqvaeLogSpectral()).run(root);
                terminal.println("train: vqvae done " + last);
            }
            if (!plan.stage().equals("vqvae")) {
                Path vqFile = plan.out().resolve("vqvae.safetensors");
                if (!Files.isRegularFile(vqFile)) {
                    throw new IllegalArgumentException("no trained VQ-VAE at " + vqFile + "; run --stage vqvae first");
                }
                List<PrimeTraits.Grid> grids = plan.clock().equals("grid") ? grids(plan, tracks.size()) : null;
                if (prior.beatCodes() > 0) {
                    tracks = heard(tracks, grids, config, level, terminal);
                    grids = heardGrids(grids, config, level);
                }
                List<long[]> codes;
                List<long[]> upper = null;
                long t1 = System.nanoTime();
                try (WeightStore w = Checkpoints.open(vqFile); VqVae vqvae = new VqVae(config.vqvae(), w, root)) {
                    codes = CodeCorpus.encode(root, vqvae, level, tracks);
                    if (level < top) {
                        upper = CodeCorpus.encode(root, vqvae, level + 1, tracks);
                    }
                }
                terminal.printf("train: encoded the audio to level-%d codes%s in %.1f s%n", level,
                        upper == null ? "" : " and level-" + (level + 1) + " codes", (System.nanoTime() - t1) / 1e9);
                StageOptions o = new StageOptions(plan.out(), plan.priorSteps(), plan.priorBatch(), plan.priorLr(),
                        plan.seed(), plan.checkpointEvery(), plan.logEvery(), plan.fresh(), plan.maxMinutes(),
                        plan.stopAtStep());
                int window = plan.priorWindow() == null ? prior.nCtx() : plan.priorWindow();
                PriorTrainer trainer = new PriorTrainer(prior, config.vqvae(), codes, tracks, grids,
                        plan.clockMeasuredShare(), window, o, terminal).startingFrom(plan.initPrior());
                if (upper != null) {
                    trainer.conditionedOn(upper);
                }
                Map<String, Double> last = trainer.run(root);
                terminal.println("train: prior done " + last);
            }
        }
        if (level == top) {
            terminal.printf("train: model folder %s (load with --model %s)%n", plan.out(), plan.out());
        } else {
            terminal.printf("train: level %d in %s; copy its vqvae.safetensors and prior_level_%d.safetensors beside "
                    + "the top prior to serve it%n", level, plan.out(), level);
        }
    }

    /**
     * The trained pair of one level in OUT scored on the given audio: VQ-VAE reconstruction and the prior's
     * cross-entropy (an upsampler's given the codes of the level above).
     */
    private static void evaluate(Plan plan, ModelConfig config, PriorConfig prior, List<float[]> tracks, NDManager root,
                                 PrintStream terminal) {
        int level = prior.level();
        boolean upsampler = level < config.vqvae().levels() - 1;
        try (WeightStore vw = Checkpoints.open(plan.out().resolve("vqvae.safetensors"));
             WeightStore pw = Checkpoints.open(plan.out().resolve("prior_level_" + level + ".safetensors"));
             VqVae vqvae = new VqVae(config.vqvae(), vw, root);
             Prior model = new Prior(prior, config.vqvae(), pw, root)) {
            double error = 0;
            double energy = 0;
            int hop = config.vqvae().hopLength(level);
            for (float[] track : tracks) {
                int n = Math.min(track.length, 1 << 18) / hop * hop;
                try (NDManager m = root.newSubManager()) {
                    NDArray x = m.create(java.util.Arrays.copyOf(track, n), new ai.djl.ndarray.types.Shape(1, n));
                    NDArray y = vqvae.decode(vqvae.encode(x, level), level);
                    error += y.sub(x).square().sum().getFloat();
                    energy += x.square().sum().getFloat();
                }
            }
            List<long[]> codes = CodeCorpus.encode(root, vqvae, level, tracks);
            List<long[]> upper = upsampler ? CodeCorpus.encode(root, vqvae, level + 1, tracks) : null;
            double nats = PriorEvaluation.crossEntropy(root, model, codes, tracks, upper);
            terminal.printf(java.util.Locale.ROOT, "eval: VQ-VAE level-%d reconstruction error %.3f of the signal "
                    + "energy; prior cross-entropy %.3f nats = %.2f bits per code (uniform: %.2f bits)%n", level,
                    error / energy, nats, nats / Math.log(2), Math.log(config.vqvae().lBins()) / Math.log(2));
        }
    }

    /**
     * Each track stretched from its composed tempo to the tempo a prior with a fixed beat hears every song at
     * ({@link TempoWarp}), as sampling stretches a prime by the DAW's tempo.
     */
    private static List<float[]> heard(List<float[]> tracks, List<PrimeTraits.Grid> grids, ModelConfig config,
                                       int level, PrintStream terminal) {
        int rate = config.vqvae().sampleRate();
        double modelBpm = modelBpm(config, level);
        long t0 = System.nanoTime();
        List<float[]> heard = new java.util.ArrayList<>();
        long before = 0;
        long after = 0;
        for (int i = 0; i < tracks.size(); i++) {
            heard.add(TempoWarp.of(grids.get(i).bpm(), modelBpm).toModel(tracks.get(i), rate, () -> { }));
            before += tracks.get(i).length;
            after += heard.get(i).length;
        }
        terminal.printf("train: %d tracks stretched to %.4f BPM (%.0f s of audio became %.0f s) in %.1f s%n",
                tracks.size(), modelBpm, before / (double) rate, after / (double) rate, (System.nanoTime() - t0) / 1e9);
        return heard;
    }

    /** Each composed grid as the stretched track keeps it: the same beats and bars at the prior's tempo. */
    private static List<PrimeTraits.Grid> heardGrids(List<PrimeTraits.Grid> grids, ModelConfig config, int level) {
        double modelBpm = modelBpm(config, level);
        return grids.stream().map(g -> TempoWarp.of(g.bpm(), modelBpm).modelGrid(g)).toList();
    }

    private static double modelBpm(ModelConfig config, int level) {
        return TempoWarp.modelBpm(config.vqvae().sampleRate(), config.vqvae().hopLength(level),
                config.priors().get(level).beatCodes());
    }

    /** The composed grid of each track {@link #loadAudio} gives, in its order. */
    private static List<PrimeTraits.Grid> grids(Plan plan, int tracks) throws IOException {
        List<PrimeTraits.Grid> grids = plan.audio() != null ? ComposedGrids.ofFiles(TrainingAudio.files(plan.audio()))
                : ComposedGrids.ofSeeds(CorpusGenerator.TRAINING_SEED_BASE, plan.songs(), plan.songSeconds());
        if (grids.size() != tracks) {
            throw new IllegalArgumentException(grids.size() + " composed grids for " + tracks + " tracks");
        }
        return grids;
    }

    private static List<float[]> loadAudio(Plan plan, int rate, PrintStream terminal) throws IOException {
        if (plan.audio() != null) {
            terminal.println("train: reading WAV files under " + plan.audio());
            return TrainingAudio.loadFolder(plan.audio(), rate);
        }
        if (plan.synthetic()) {
            terminal.printf("train: generating %d synthetic songs of %.0f s (seed %d)%n", plan.songs(),
                    plan.songSeconds(), plan.seed());
            return SyntheticSongs.generate(plan.seed(), plan.songs(), plan.songSeconds(), rate);
        }
        // The same clips as `segue corpus --seed 0 --clips N --seconds S --rate R` writes, kept as floats.
        terminal.printf("train: rendering %d corpus clips of %.0f s (training seeds from %d)%n", plan.songs(),
                plan.songSeconds(), CorpusGenerator.TRAINING_SEED_BASE);
        CorpusGenerator corpus = CorpusGenerator.withDefaultSoundFont();
        try {
            return corpus.clips(CorpusGenerator.TRAINING_SEED_BASE, plan.songs(), plan.songSeconds(), rate)
                    .map(Clip::audio).toList();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
