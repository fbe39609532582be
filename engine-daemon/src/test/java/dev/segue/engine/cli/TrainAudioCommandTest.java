package dev.segue.engine.cli;

import dev.segue.engine.nn.Djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.vqvae.VqVae;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code segue train --audio DIR} end to end through the command: a folder of the user's WAVs (several rates,
 * mono and stereo, one in a subfolder, a file that is not audio beside them) becomes a model folder whose
 * weights load into the inference classes. A folder without WAVs is refused with a clear error.
 */
class TrainAudioCommandTest {
    private static final String TINY = """
            {"vqvae": {"levels": 3, "downs_t": [3, 2, 2], "strides_t": [2, 2, 2], "hvqvae_multipliers": [1, 1, 1],
                       "emb_width": 16, "l_bins": 64, "depth": 1, "width": 16, "dilation_growth_rate": 3, "sr": 8000},
             "priors": {"2": {"level": 2, "n_ctx": 64, "prior_width": 32, "prior_depth": 2, "heads": 2,
                              "attn_order": 2, "blocks": 4, "labels": false, "sr": 8000}}}
            """;

    @TempDir
    Path dir;

    @Test
    void aFolderOfWavsBecomesAModelFolderThatLoads() throws Exception {
        Path audio = Files.createDirectories(dir.resolve("audio"));
        writeWav(audio.resolve("a.wav"), 44_100, 2, 3.0, 220);
        writeWav(audio.resolve("b.wav"), 22_050, 1, 2.5, 330);
        writeWav(Files.createDirectories(audio.resolve("more")).resolve("c.WAV"), 48_000, 2, 2.0, 440);
        Files.writeString(audio.resolve("notes.txt"), "not audio");
        Path config = dir.resolve("tiny.json");
        Files.writeString(config, TINY);
        Path out = dir.resolve("model");

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int code;
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            code = new CommandLine(new EngineCli()).execute("train", "--config", config.toString(), "--audio",
                    audio.toString(), "--out", out.toString(), "--vqvae-steps", "3", "--prior-steps", "3",
                    "--vqvae-batch", "2", "--prior-batch", "2", "--checkpoint-every", "2", "--log-every", "1",
                    "--threads", "1");
        } finally {
            System.setOut(saved);
        }
        String log = printed.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, log);
        assertTrue(log.contains("train: 3 tracks at 8000 Hz"), "the three WAVs, not the text file:\n" + log);
        // 3 s + 2.5 s + 2 s of audio, resampled to 8 kHz (each rounded to whole samples).
        assertTrue(log.contains("(8 s of audio)") || log.contains("(7 s of audio)"), log);

        for (String f : new String[] {"config.json", "vqvae.safetensors", "prior_level_2.safetensors", "metrics.jsonl"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " in " + out);
        }
        int rows = 0;
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode row = json.readTree(line);
            row.fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) {
                    assertTrue(Double.isFinite(e.getValue().asDouble()), e.getKey() + " in " + line);
                }
            });
            rows++;
        }
        assertTrue(rows >= 6, "a metrics row per logged step of both stages, got " + rows);

        ModelConfig model = ModelConfig.load(out.resolve("config.json"));
        try (NDManager m = Djl.cpuManager();
             WeightStore vq = Checkpoints.open(out.resolve("vqvae.safetensors"));
             VqVae vqvae = new VqVae(model.vqvae(), vq, m);
             WeightStore pr = Checkpoints.open(out.resolve("prior_level_2.safetensors"));
             Prior prior = new Prior(model.priors().get(2), model.vqvae(), pr, m)) {
            assertEquals(64, prior.bins());
            assertTrue(vqvae != null);
        }
    }

    @Test
    void aFolderWithoutWavsIsRefused() throws Exception {
        Path audio = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(audio.resolve("notes.txt"), "not audio");
        Path config = dir.resolve("tiny.json");
        Files.writeString(config, TINY);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = trainCapturingErrors(err, "--config", config.toString(), "--audio", audio.toString(), "--out",
                dir.resolve("model").toString());
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no .wav files under " + audio), err.toString());
    }

    @Test
    void theDecoderOptionsOutsideAVqVaeStageAreRefused() throws Exception {
        Path config = dir.resolve("tiny.json");
        Files.writeString(config, TINY);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = trainCapturingErrors(err, "--config", config.toString(), "--synthetic", "--stage", "prior",
                "--vqvae-decoder-only", "--out", dir.resolve("model").toString());
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--stage prior trains no VQ-VAE"), err.toString());
    }

    @Test
    void aLogSpectralWeightOutOfRangeIsRefusedBeforeTheAudioIsRead() throws Exception {
        Path config = dir.resolve("tiny.json");
        Files.writeString(config, TINY);
        // The folder holds no WAVs: had the audio been read first, that would be the error.
        Path audio = Files.createDirectories(dir.resolve("empty"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = trainCapturingErrors(err, "--config", config.toString(), "--audio", audio.toString(), "--stage",
                "vqvae", "--vqvae-log-spectral", "500", "--out", dir.resolve("model").toString());
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("the log-spectral weight must be in 0..100, not 500"),
                err.toString());
    }

    /** {@code segue train ARGS} with its standard error in {@code err}; its exit code. */
    private static int trainCapturingErrors(ByteArrayOutputStream err, String... args) {
        PrintStream saved = System.err;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            String[] all = new String[args.length + 1];
            all[0] = "train";
            System.arraycopy(args, 0, all, 1, args.length);
            return new CommandLine(new EngineCli()).execute(all);
        } finally {
            System.setErr(saved);
        }
    }

    /** A 16-bit PCM WAV of a decaying sine with a little noise, so the VQ-VAE sees some content. */
    private static void writeWav(Path file, int rate, int channels, double seconds, double hz) throws Exception {
        int frames = (int) Math.round(seconds * rate);
        ByteBuffer pcm = ByteBuffer.allocate(frames * channels * 2).order(ByteOrder.LITTLE_ENDIAN);
        java.util.Random noise = new java.util.Random(frames);
        for (int i = 0; i < frames; i++) {
            double t = i / (double) rate;
            double v = 0.5 * Math.sin(2 * Math.PI * hz * t) * Math.exp(-(t % 0.5) * 4) + 0.01 * noise.nextGaussian();
            for (int c = 0; c < channels; c++) {
                pcm.putShort((short) Math.round(Math.max(-1, Math.min(1, v * (c == 0 ? 1 : 0.7))) * 32767));
            }
        }
        AudioFormat format = new AudioFormat(rate, 16, channels, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm.array()), format, frames)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
    }
}
