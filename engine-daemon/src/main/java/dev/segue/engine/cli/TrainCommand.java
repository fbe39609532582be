package dev.segue.engine.cli;

import dev.segue.engine.resident.PresetFiles;

import dev.segue.engine.train.Training;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train one level of the VQ-VAE and that level's prior (the top prior, or an upsampler below it) "
                + "of a model config on audio, resumably, and write a model folder (config.json, vqvae.safetensors, "
                + "prior_level_N.safetensors) that the daemon and the demo load.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", defaultValue = "default",
            description = "Model config: a preset name (presets/NAME/config.json or presets/NAME.json) or a file.")
    String config;

    @Option(names = "--audio", description = "Folder of WAV files to train on (any rate, downmixed, resampled). "
            + "Without it: the procedural corpus (GM songs rendered with the SoundFont).")
    Path audio;

    @Option(names = "--synthetic", description = "Without --audio: simple additive-synth songs instead of the "
            + "corpus (no SoundFont needed; for quick checks).")
    boolean synthetic;

    @Option(names = "--songs", defaultValue = "32", description = "Corpus clips (or synthetic songs) without --audio.")
    int songs;

    @Option(names = "--song-seconds", defaultValue = "30",
            description = "Length of each clip; the prior needs clips at least one context window long.")
    double songSeconds;

    @Option(names = "--out", defaultValue = "out/train", description = "Output folder: state, metrics, model files.")
    Path out;

    @Option(names = "--stage", defaultValue = "all",
            description = "vqvae, prior, all (vqvae then prior), or eval (score the model in --out on the audio).")
    String stage;

    @Option(names = "--vqvae-steps", defaultValue = "2000") long vqvaeSteps;
    @Option(names = "--prior-steps", defaultValue = "2000") long priorSteps;
    @Option(names = "--vqvae-batch", defaultValue = "4") int vqvaeBatch;
    @Option(names = "--prior-batch", defaultValue = "2") int priorBatch;
    @Option(names = "--vqvae-lr", defaultValue = "1e-3") double vqvaeLr;
    @Option(names = "--prior-lr", defaultValue = "6e-4") double priorLr;

    @Option(names = "--prior-window", description = "Codes per prior training window (default n_ctx).")
    Integer priorWindow;

    @Option(names = "--max-minutes", defaultValue = "0", description = "Stop each stage after this long (0 = no limit); it saves and exports first.")
    double maxMinutes;

    @Option(names = "--stop-at-step", defaultValue = "0",
            description = "End the stage at this step (0 = at its last), on the schedule of its full step count.")
    long stopAtStep;

    @Option(names = "--seed", defaultValue = "1") long seed;

    @Option(names = "--checkpoint-every", defaultValue = "100") int checkpointEvery;

    @Option(names = "--log-every", defaultValue = "10") int logEvery;

    @Option(names = "--fresh", description = "Start over instead of resuming the state in --out.")
    boolean fresh;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads (0 = DJL's default).")
    int threads;

    @Option(names = "--clock", defaultValue = "measured", paramLabel = "measured|grid",
            description = "A beat-clocked prior's clock in training: the tempo estimator's reading of each window's "
                    + "head (measured, as the shipped prior), or the corpus's composed tempo, bar and phase (grid, "
                    + "as a DAW's context gives at sampling; needs corpus clips or a corpus folder with its manifest). "
                    + "A prior with beat_codes in its config trains on grid only: each clip is stretched from its "
                    + "composed tempo to the prior's.")
    String clock;

    @Option(names = "--clock-measured-share", defaultValue = "0.25",
            description = "With --clock grid: the share of windows clocked by the estimator all the same, so the "
                    + "prior still follows a prime given without a tempo (default ${DEFAULT-VALUE}).")
    double clockMeasuredShare;

    @Option(names = "--init-prior", paramLabel = "FILE",
            description = "Start the prior stage from these weights (a prior_level_N.safetensors of the same config) "
                    + "instead of random ones, with a fresh optimizer and schedule: fine-tuning. Used only when "
                    + "--out holds no prior state (or with --fresh); parameters the file lacks start fresh.")
    Path initPrior;

    @Option(names = "--level", paramLabel = "N",
            description = "The VQ-VAE level and prior to train (default: the top). Below the top the prior is an "
                    + "upsampler, trained on this level's codes conditioned on the level above's.")
    Integer level;

    @Option(names = "--init-vqvae", paramLabel = "FILE",
            description = "Start the VQ-VAE stage from these weights (a vqvae.safetensors of the same config) instead "
                    + "of random ones; only --level trains, every other level keeps these weights and its codes. "
                    + "Used only when --out holds no VQ-VAE state (or with --fresh).")
    Path initVqvae;

    @Option(names = "--vqvae-decoder-only",
            description = "Train only the level's decoder; its encoder and codebook keep the --init-vqvae weights, so "
                    + "its codes, and every prior trained on them, stay valid.")
    boolean vqvaeDecoderOnly;

    @Option(names = "--vqvae-log-spectral", defaultValue = "0", paramLabel = "W",
            description = "Weight of a log-magnitude spectral term in the VQ-VAE's loss (STFT sizes down to 4 ms), "
                    + "which weighs each bin by its ratio to the target's, not its energy, so an attack's quiet partials count; "
                    + "W in 0..100 (default ${DEFAULT-VALUE}: none).")
    double vqvaeLogSpectral;

    @Override
    public Integer call() {
        if (threads < 0 || threads > 256 || songs < 1 || songs > 10_000 || !(songSeconds >= 2 && songSeconds <= 3600)) {
            System.err.println("train: --threads 0..256, --songs 1..10000, --song-seconds 2..3600");
            return 2;
        }
        if (threads > 0) {
            // Read once when the PyTorch engine starts, so it must be set before the first NDManager.
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        Path configFile = resolveConfig(config);
        Training.Plan plan = new Training.Plan(configFile, audio, synthetic, songs, songSeconds, out, stage, vqvaeSteps, priorSteps,
                vqvaeBatch, priorBatch, vqvaeLr, priorLr, priorWindow, maxMinutes, stopAtStep, seed, checkpointEvery, logEvery, fresh,
                clock, clockMeasuredShare, initPrior, level, initVqvae, vqvaeDecoderOnly,
                vqvaeLogSpectral);
        try {
            Training.run(plan, System.out);
            return 0;
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("train: " + e.getMessage());
            return 1;
        }
    }

    private static Path resolveConfig(String nameOrPath) {
        Path folder = PresetFiles.home().resolve("presets").resolve(nameOrPath).resolve("config.json");
        if (!java.nio.file.Files.isRegularFile(Path.of(nameOrPath)) && java.nio.file.Files.isRegularFile(folder)) {
            return folder;
        }
        return PresetFiles.resolve(nameOrPath);
    }
}
