package dev.segue.engine.resident;

import dev.segue.engine.nn.Djl;
import dev.segue.engine.resident.ModelFolder;
import dev.segue.engine.resident.ResidentModel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.TorchCheckpointReader;
import dev.segue.engine.checkpoint.TorchCheckpointWriter;
import dev.segue.engine.checkpoint.WritingWeights;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.vqvae.VqVae;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small random model written as {@code .pth.tar} files (the published layout) loads through the model loader
 * the daemon uses, and the prior loaded from the file computes what the prior it was written from computes.
 */
class WrittenCheckpointLoadTest {
    @TempDir
    Path dir;

    @Test
    void aWrittenPriorLoadsThroughTheModelLoaderWithTheSameLogits() throws Exception {
        Path preset = Path.of(System.getProperty("segue.home", "..")).resolve("presets/demo-sketch.json");
        ModelConfig config = ModelConfig.load(preset);
        PriorConfig top = config.priors().get(2);
        Files.copy(preset, dir.resolve("config.json"));
        float[] written;
        long[] tokens = new long[32];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 37 + 5) % 2048;
        }
        try (NDManager root = Djl.cpuManager()) {
            TorchCheckpointWriter vq = TorchCheckpointWriter.create(dir.resolve("vqvae.pth.tar"));
            try (WritingWeights w = new WritingWeights(1, vq, false); VqVae v = new VqVae(config.vqvae(), w, root)) {
                assertTrue(v.config().levels() == 3);
            }
            vq.close();
            // The top prior with its dense weights in fp16, as the 5b top priors are published.
            TorchCheckpointWriter pw = TorchCheckpointWriter.create(dir.resolve("prior_level_2.pth.tar"));
            try (WritingWeights w = new WritingWeights(2, pw, true); Prior p = new Prior(top, config.vqvae(), w, root)) {
                written = logits(root, p, tokens);
            }
            pw.close();
            try (TorchCheckpointReader r = TorchCheckpointReader.open(dir.resolve("prior_level_2.pth.tar"))) {
                String dense = r.names().stream().filter(n -> n.endsWith(".w")).findFirst().orElseThrow();
                assertEquals(DType.F16, r.get(dense).dtype(), dense);
                String bias = r.names().stream().filter(n -> n.endsWith(".b")).findFirst().orElseThrow();
                assertEquals(DType.F32, r.get(bias).dtype(), bias);
            }
            try (ResidentModel m = ResidentModel.load(root, dir)) {
                assertEquals(List.of(2), List.copyOf(m.priors().keySet()));
                assertArrayEquals(written, logits(root, m.top(), tokens), 1e-5f);
            }
            // A folder of only the published files takes its config from a preset, as --preset gives it.
            Files.delete(dir.resolve("config.json"));
            IllegalArgumentException none = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ModelFolder.of(dir, null));
            assertTrue(none.getMessage().contains("has no config.json"), none.getMessage());
            ModelFolder folder = ModelFolder.of(dir, preset.toString());
            assertEquals(preset, folder.configFile());
            long elements = 0;
            try (var r = dev.segue.engine.checkpoint.Checkpoints.open(dir.resolve("vqvae.pth.tar"))) {
                for (String n : r.names()) {
                    elements += r.get(n).elementCount();
                }
            }
            assertTrue(folder.estimateBytes(dev.segue.engine.resident.ComputeDevice.choose("cpu"),
                    dev.segue.engine.checkpoint.WeightFormat.FP32) > 4 * elements,
                    "the size counts the VQ-VAE and the prior");
            List<ResidentModel> all = ResidentModel.loadAll(root, dir, folder.configFile(),
                    dev.segue.engine.checkpoint.WeightFormat.FP32);
            try {
                assertArrayEquals(written, logits(root, all.get(0).top(), tokens), 1e-5f);
            } finally {
                all.forEach(ResidentModel::close);
            }
        }
    }

    private static float[] logits(NDManager root, Prior p, long[] tokens) {
        try (NDManager m = root.newSubManager()) {
            var cond = p.condition(m, 1, LabelRow.neutral(p.config()), null);
            NDArray x = m.create(tokens, new Shape(1, tokens.length));
            return p.windowLogits(cond, x).toFloatArray();
        }
    }
}
