package dev.segue.engine.cli;

import dev.segue.engine.nn.Djl;
import dev.segue.engine.resident.ResidentModel;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.corpus.CorpusGenerator;
import dev.segue.engine.corpus.GervillRenderer;
import dev.segue.engine.eval.EvalReport;
import dev.segue.engine.eval.RecordingEvaluation;
import dev.segue.engine.eval.ModelEvaluation;
import dev.segue.engine.prior.Prior;
import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code segue eval}: the model's metrics on held-out corpus clips, printed as Markdown tables. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model directory (config.json, vqvae.*, prior_level_N.*) on held-out corpus clips.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Model directory; default: presets/demo-sketch.json with random weights.")
    Path model;

    @Option(names = "--heldout", defaultValue = "8", description = "Held-out clips (2..1000).")
    int heldOut;

    @Option(names = "--train-clips", defaultValue = "16", description = "Training clips the unigram baseline is fitted on.")
    int trainClips;

    // 8 s + 8 s, the demo's 4-bar prime at 120 BPM: over 4 s (two bars, often one or two chords) even the true
    // continuation's estimated key matches its prime's only a quarter of the time, so the key row measured noise.
    @Option(names = "--seconds", defaultValue = "16", description = "Clip length in seconds (prime + true continuation).")
    double seconds;

    @Option(names = "--continuation", defaultValue = "8",
            description = "Continuation length in seconds (capped at half the prior's window).")
    double continuation;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature of the continuations.")
    double temperature;

    @Option(names = "--seed", defaultValue = "1", description = "Sampling seed of the continuations.")
    long seed;

    @Option(names = "--levels", split = ",", description = "VQ-VAE levels to report, e.g. 2 (default: all).")
    java.util.Set<Integer> levels;

    @Option(names = "--soundfont", description = "SoundFont for the corpus clips (default FluidR3_GM.sf2).")
    Path soundfont;

    @Option(names = "--out", description = "Also write the Markdown report to this file.")
    Path out;

    @Option(names = "--audio", description = "Evaluate on recordings instead: every .wav (read directly) and .ogg, "
            + ".flac, .mp3 (decoded with sox) in this folder, sorted by name; needs --bpm.")
    Path audio;

    @Option(names = "--bpm", split = ",", description = "With --audio: the tempo of each recording (sorted by name), "
            + "or one tempo for all, quarter notes per minute, as a DAW's context gives it.")
    List<Double> bpm;

    @Option(names = "--from", defaultValue = "30", description = "With --audio: where each excerpt starts, in seconds "
            + "(default ${DEFAULT-VALUE}); it lasts --seconds.")
    double from;

    /** Most recordings one --audio run reads. */
    private static final int MAX_RECORDINGS = 200;

    @Override
    public Integer call() throws IOException {
        if (audio != null) {
            return recordings();
        }
        ModelEvaluation.Options options;
        try {
            options = new ModelEvaluation.Options(heldOut, trainClips, seconds, continuation, temperature, seed, levels);
        } catch (IllegalArgumentException e) {
            System.err.println("eval: " + e.getMessage());
            return 2;
        }
        CorpusGenerator corpus = new CorpusGenerator(soundfont == null ? GervillRenderer.DEFAULT_SOUNDFONT : soundfont);
        long t0 = System.nanoTime();
        try (NDManager root = Djl.cpuManager();
             ResidentModel m = model == null ? ResidentModel.demoSketch(root) : ResidentModel.load(root, model)) {
            System.err.println("eval: model " + m.description());
            ModelEvaluation.Result result;
            try {
                // The upsampler just below the top prior, if the model has one: the draft tier's rendering rows.
                Prior draft = m.priors().get(m.top().config().level() - 1);
                result = ModelEvaluation.run(root, m.description(), m.vqvae(), m.top(), draft, corpus, options,
                        System.err);
            } catch (IllegalArgumentException e) {
                System.err.println("eval: " + e.getMessage());
                return 2;
            }
            String report = EvalReport.markdown(result);
            System.out.print(report);
            if (out != null) {
                Files.writeString(out, report, StandardCharsets.UTF_8);
            }
        }
        System.err.printf("eval: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** {@code --audio DIR --bpm ...}: the model on recordings the corpus did not make. */
    private Integer recordings() throws IOException {
        List<Path> files;
        try (java.util.stream.Stream<Path> list = Files.list(audio)) {
            files = list.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(java.util.Locale.ROOT)
                    .matches(".*\\.(wav|ogg|flac|mp3)")).sorted().limit(MAX_RECORDINGS + 1).toList();
        } catch (IOException e) {
            System.err.println("eval: --audio " + audio + ": " + e.getMessage());
            return 2;
        }
        if (files.isEmpty() || files.size() > MAX_RECORDINGS) {
            System.err.println("eval: --audio needs 1.." + MAX_RECORDINGS + " .wav/.ogg/.flac/.mp3 files in " + audio);
            return 2;
        }
        if (bpm == null || !(bpm.size() == 1 || bpm.size() == files.size())) {
            System.err.println("eval: --audio needs --bpm: one tempo, or one per recording (" + files.size() + ")");
            return 2;
        }
        if (!(from >= 0) || !(seconds > continuation) || seconds > 120) {
            System.err.println("eval: --from >= 0 and --seconds (at most 120) longer than --continuation");
            return 2;
        }
        List<RecordingEvaluation.Excerpt> excerpts = new ArrayList<>();
        try {
            for (int i = 0; i < files.size(); i++) {
                excerpts.add(excerpt(files.get(i), bpm.size() == 1 ? bpm.get(0) : bpm.get(i)));
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("eval: " + e.getMessage());
            return 2;
        }
        long t0 = System.nanoTime();
        try (NDManager root = Djl.cpuManager();
             ResidentModel m = model == null ? ResidentModel.demoSketch(root) : ResidentModel.load(root, model)) {
            System.err.println("eval: model " + m.description());
            List<RecordingEvaluation.Row> rows = RecordingEvaluation.run(root, m.vqvae(), m.top(), excerpts,
                    seconds - continuation, continuation, temperature, seed, System.err);
            String report = RecordingEvaluation.markdown(rows, m.description(), m.vqvae().config().sampleRate(),
                    seconds - continuation, continuation);
            System.out.print(report);
            if (out != null) {
                Files.writeString(out, report, StandardCharsets.UTF_8);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("eval: " + e.getMessage());
            return 2;
        }
        System.err.printf("eval: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** {@code --seconds} of a recording from {@code --from}, its channels kept. */
    private RecordingEvaluation.Excerpt excerpt(Path file, double tempo) throws IOException {
        String name = file.getFileName().toString();
        if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".wav")) {
            return excerptOfWav(file, name, tempo);
        }
        Path wav = Files.createTempFile("segue-eval-", ".wav");
        try {
            decodeWithSox(file, name, wav);
            PcmAudio all = WavReader.read(wav, seconds + 1);
            return new RecordingEvaluation.Excerpt(name, all.samples(), all.channels(), all.sampleRate(), tempo);
        } finally {
            Files.deleteIfExists(wav);
        }
    }

    /** The excerpt as 32-bit float WAV, through sox (any format its libraries read). */
    private void decodeWithSox(Path file, String name, Path wav) throws IOException {
        try {
            Process sox = new ProcessBuilder("sox", file.toString(), "-t", "wav", "-e", "floating-point", "-b", "32",
                    wav.toString(), "trim", Double.toString(from), Double.toString(seconds))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!sox.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || sox.exitValue() != 0) {
                sox.destroyForcibly();
                throw new IllegalArgumentException(name + ": sox could not decode it (is sox with its format "
                        + "libraries installed? Debian: sox libsox-fmt-base)");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": decoding needs sox on the PATH (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding " + name);
        }
    }

    /** Only the excerpt is read, so a recording of any length takes no more memory than {@code --seconds}. */
    private RecordingEvaluation.Excerpt excerptOfWav(Path file, String name, double tempo) throws IOException {
        try (WavReader wav = WavReader.open(file)) {
            int rate = wav.format().sampleRate();
            long start = Math.round(from * rate);
            long frames = Math.round(seconds * rate);
            if (start + frames > wav.frames()) {
                throw new IllegalArgumentException(name + ": shorter than --from + --seconds");
            }
            wav.skip(start);
            return new RecordingEvaluation.Excerpt(name, wav.read(Math.toIntExact(frames)), wav.format().channels(), rate,
                    tempo);
        }
    }
}
