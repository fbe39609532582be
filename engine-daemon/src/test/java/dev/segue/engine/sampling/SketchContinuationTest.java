package dev.segue.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.cli.Djl;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.prior.Labels;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.vqvae.VqVae;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sketch-tier continuation on the fixture models: exact lengths, previews that stream in order. */
class SketchContinuationTest {
    private static final Path FIXTURE = Path.of(System.getProperty("segue.shared", "../../shared"))
            .resolve("conformance/jukebox-ref");
    private static NDManager root;
    private static VqVae vqvae;
    private static Prior top;
    private static SketchContinuation sketch;

    @BeforeAll
    static void load() {
        root = Djl.cpuManager();
        ModelConfig config = ModelConfig.load(FIXTURE.resolve("config.json"));
        try (SafetensorsFile v = SafetensorsFile.open(FIXTURE.resolve("vqvae.safetensors"));
             SafetensorsFile p = SafetensorsFile.open(FIXTURE.resolve("prior_level_2.safetensors"))) {
            vqvae = new VqVae(config.vqvae(), v, root);
            top = new Prior(config.priors().get(2), config.vqvae(), p, root);
        }
        sketch = new SketchContinuation(vqvae, top);
    }

    @AfterAll
    static void close() {
        top.close();
        vqvae.close();
        root.close();
    }

    private record Chunk(int candidate, long offset, int length) {}

    @Test
    void takesHaveExactlyTheAskedLengthAndPreviewsStreamInOrder() {
        float[] prime = new float[20_000]; // not a multiple of the 128-sample hop: cut at its start
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) Math.sin(i * 0.05) * 0.3f;
        }
        long frames = 12_345; // not a multiple of the hop either
        List<Chunk> previews = new ArrayList<>();
        float[][] takes = sketch.continueAudio(root, prime, frames, 3, Labels.neutral(top.config()),
                new SamplingParams(1.0, 0, 0.0, 9), SamplingMonitor.NONE,
                (c, offset, audio) -> previews.add(new Chunk(c, offset, audio.length)));
        assertEquals(3, takes.length);
        for (float[] take : takes) {
            assertEquals(frames, take.length);
        }
        assertTrue(previews.size() >= 3, "previews: " + previews);
        for (int c = 0; c < 3; c++) {
            long expected = 0;
            for (Chunk p : previews) {
                if (p.candidate() == c) {
                    assertEquals(expected, p.offset(), "candidate " + c + " previews are contiguous");
                    assertTrue(p.length() > 0);
                    expected += p.length();
                }
            }
            assertTrue(expected > 0 && expected <= frames, "candidate " + c + " previewed " + expected);
        }
    }

    @Test
    void requestsBeyondOneWindowOrWithoutAPrimeAreRefused() {
        float[] prime = new float[4096];
        assertThrows(IllegalArgumentException.class, () -> sketch.continueAudio(root, prime,
                sketch.maxContinuationFrames() + 1, 1, Labels.neutral(top.config()), SamplingParams.greedy(),
                SamplingMonitor.NONE));
        assertThrows(IllegalArgumentException.class, () -> sketch.continueAudio(root, new float[10], 1000, 1,
                Labels.neutral(top.config()), SamplingParams.greedy(), SamplingMonitor.NONE));
    }
}
