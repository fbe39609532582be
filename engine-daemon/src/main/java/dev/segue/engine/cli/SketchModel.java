package dev.segue.engine.cli;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.vqvae.VqVae;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The VQ-VAE and top prior that the demo and the daemon load once. A model directory is laid out like a
 * conformance fixture (config.json, vqvae.*, prior_level_N.*). Without one, the reference-fixture models
 * from ../shared are used when present, else the same architecture with seeded random weights
 * (presets/demo-sketch.json): the trained default prior is not shipped yet.
 */
record SketchModel(String name, String description, VqVae vqvae, Prior top) implements AutoCloseable {

    static SketchModel load(NDManager root, Path modelDir) {
        Path dir = modelDir;
        if (dir == null) {
            Path fixture = Path.of(System.getProperty("segue.shared", "../shared")).resolve("conformance/jukebox-ref");
            dir = Files.isRegularFile(fixture.resolve("config.json")) ? fixture : null;
        }
        return open(root, dir, modelDir == null);
    }

    /** presets/demo-sketch.json with seeded random weights, whether or not the reference fixture is present. */
    static SketchModel demoSketch(NDManager root) {
        return open(root, null, true);
    }

    private static SketchModel open(NDManager root, Path dir, boolean fallback) {
        ModelConfig config = dir != null ? ModelConfig.load(dir.resolve("config.json"))
                : ModelConfig.load(Presets.resolve("demo-sketch"));
        int topLevel = config.vqvae().levels() - 1;
        PriorConfig topConfig = config.priors().get(topLevel);
        if (topConfig == null) {
            throw new IllegalArgumentException((dir == null ? "demo-sketch" : dir.toString()) + " has no top-level prior");
        }
        try (WeightStore vq = dir != null ? Checkpoints.open(weights(dir, "vqvae")) : new RandomWeights(1);
             WeightStore pr = dir != null ? Checkpoints.open(weights(dir, "prior_level_" + topLevel)) : new RandomWeights(2)) {
            VqVae vqvae = new VqVae(config.vqvae(), vq, root);
            Prior top;
            try {
                top = new Prior(topConfig, config.vqvae(), pr, root);
            } catch (RuntimeException e) {
                vqvae.close();
                throw e;
            }
            String name = dir == null ? "demo-sketch" : dir.getFileName().toString();
            String description = dir == null ? "presets/demo-sketch.json (seeded random weights)"
                    : dir + (fallback ? " (reference-fixture weights)" : "");
            return new SketchModel(name, description, vqvae, top);
        }
    }

    private static Path weights(Path dir, String stem) {
        Path safetensors = dir.resolve(stem + ".safetensors");
        return Files.isRegularFile(safetensors) ? safetensors : dir.resolve(stem + ".pth.tar");
    }

    @Override
    public void close() {
        top.close();
        vqvae.close();
    }
}
