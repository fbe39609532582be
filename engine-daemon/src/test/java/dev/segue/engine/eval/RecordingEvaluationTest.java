package dev.segue.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.vqvae.VqVae;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@code segue eval --audio}: recordings at a given tempo, mono and stereo, run end to end on random weights. */
class RecordingEvaluationTest {
    private static final int RATE = 48000;

    /** Clicks at {@code bpm} from 0.1 s, the left channel louder than the right, the channels partly independent. */
    private static float[] clicks(double bpm, double seconds, int channels) {
        int n = (int) (seconds * RATE);
        float[] x = new float[n * channels];
        Random r = new Random(8);
        for (double t = 0.1; t < seconds; t += 60 / bpm) {
            int at = (int) Math.round(t * RATE);
            for (int i = 0; i < 800 && at + i < n; i++) {
                double env = 0.5 * Math.exp(-i / 120.0);
                double common = r.nextGaussian();
                x[(at + i) * channels] += (float) (env * common);
                if (channels == 2) {
                    x[(at + i) * 2 + 1] += (float) (env * 0.5 * (0.5 * common + r.nextGaussian()));
                }
            }
        }
        return x;
    }

    @Test
    void recordingsAtAGivenTempoGetTheirRows() throws Exception {
        ModelConfig config = ModelConfig.load(Path.of("..", "presets", "demo-sketch.json"));
        List<RecordingEvaluation.Excerpt> excerpts = List.of(
                new RecordingEvaluation.Excerpt("mono.wav", clicks(100, 4, 1), 1, RATE, 100),
                new RecordingEvaluation.Excerpt("stereo.ogg", clicks(100, 4, 2), 2, RATE, 100));
        List<RecordingEvaluation.Row> rows;
        try (NDManager root = Djl.cpuManager();
             VqVae vqvae = new VqVae(config.vqvae(), new RandomWeights(1), root);
             Prior top = new Prior(config.priors().get(2), config.vqvae(), new RandomWeights(2), root)) {
            rows = RecordingEvaluation.run(root, vqvae, top, excerpts, 3.0, 0.3, 1.0, 1,
                    new PrintStream(new ByteArrayOutputStream()));
            assertThrows(IllegalArgumentException.class, () -> RecordingEvaluation.run(root, vqvae, top,
                    List.of(new RecordingEvaluation.Excerpt("short.wav", new float[RATE], 1, RATE, 100)), 3.0, 0.3, 1.0,
                    1, new PrintStream(new ByteArrayOutputStream())), "an excerpt shorter than prime + continuation");
        }
        assertEquals(2, rows.size());
        assertNull(rows.get(0).stereoTake(), "a mono recording has no stereo rows");
        RecordingEvaluation.Row stereo = rows.get(1);
        assertNotNull(stereo.stereoTruth());
        assertTrue(stereo.stereoTruth().bands() > 0, "the recording's own continuation is compared band by band");
        assertTrue(stereo.onsetsTruth() > 0.5, "clicks on the given grid: " + stereo.onsetsTruth());
        assertTrue(Double.isNaN(stereo.agreesTruth()), "0.3 s is too short for a tempo");
        assertEquals(100, stereo.primeBpm(), 2, "the prime's clicks read at their tempo");
        String md = RecordingEvaluation.markdown(rows, "demo-sketch", 44100, 3.0, 0.3);
        assertTrue(md.contains("| stereo.ogg | 100.0 |") && md.contains("**mean**"), md);
        assertThrows(IllegalArgumentException.class, () -> new RecordingEvaluation.Excerpt("x", new float[6], 3, RATE, 100));
        assertThrows(IllegalArgumentException.class, () -> new RecordingEvaluation.Excerpt("x", new float[6], 2, RATE, 0));
    }
}
