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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The VQ-VAE and priors that the demo and the daemon load once and keep. A model directory is laid out like
 * a conformance fixture (config.json, vqvae.*, prior_level_N.*); the top prior is required, and each
 * upsampler found below it enables a deeper tier. Without a directory, the shipped default prior
 * (presets/default) is used when present, then the reference-fixture models from ../shared, else the
 * fixture architecture with seeded random weights (presets/demo-sketch.json).
 */
record ResidentModel(String name, String description, VqVae vqvae, Map<Integer, Prior> priors) implements AutoCloseable {

    static ResidentModel load(NDManager root, Path modelDir) {
        return open(root, modelDir != null ? modelDir : defaultDir());
    }

    /** presets/demo-sketch.json with seeded random weights, whatever else is present. */
    static ResidentModel demoSketch(NDManager root) {
        return open(root, null);
    }

    /** The top prior. */
    Prior top() {
        return priors.get(java.util.Collections.max(priors.keySet()));
    }

    private static ResidentModel open(NDManager root, Path dir) {
        ModelConfig config = dir != null ? ModelConfig.load(dir.resolve("config.json"))
                : ModelConfig.load(Presets.resolve("demo-sketch"));
        int topLevel = config.vqvae().levels() - 1;
        if (config.priors().get(topLevel) == null) {
            throw new IllegalArgumentException((dir == null ? "demo-sketch" : dir.toString()) + " has no top-level prior");
        }
        Map<Integer, Prior> priors = new TreeMap<>();
        VqVae vqvae;
        try (WeightStore vq = dir != null ? Checkpoints.open(weights(dir, "vqvae")) : new RandomWeights(1)) {
            vqvae = new VqVae(config.vqvae(), vq, root);
        }
        try {
            for (int level = topLevel; level >= 0; level--) {
                PriorConfig pc = config.priors().get(level);
                Path file = dir == null ? null : weights(dir, "prior_level_" + level);
                boolean present = level == topLevel || (pc != null && file != null && Files.isRegularFile(file));
                if (!present) {
                    break; // an upsampler is only useful with every level above it
                }
                try (WeightStore pr = dir != null ? Checkpoints.open(file) : new RandomWeights(2)) {
                    priors.put(level, new Prior(pc, config.vqvae(), pr, root));
                }
            }
        } catch (RuntimeException e) {
            priors.values().forEach(Prior::close);
            vqvae.close();
            throw e;
        }
        String name = dir == null ? "demo-sketch" : dir.getFileName().toString();
        String description = (dir == null ? "presets/demo-sketch.json (seeded random weights)" : dir.toString())
                + ", prior levels " + priors.keySet();
        return new ResidentModel(name, description, vqvae, priors);
    }

    private static Path defaultDir() {
        List<Path> shipped = shippedDirs();
        if (!shipped.isEmpty()) {
            return shipped.get(0);
        }
        Path fixture = Path.of(System.getProperty("segue.shared", "../shared")).resolve("conformance/jukebox-ref");
        return Files.isRegularFile(fixture.resolve("config.json")) ? fixture : null;
    }

    /**
     * The priors shipped under presets/: every folder there with a config.json and VQ-VAE weights, the
     * default prior first. These are what the daemon loads when no --model is given.
     */
    static List<Path> shippedDirs() {
        Path presets = Presets.home().resolve("presets");
        List<Path> out = new ArrayList<>();
        try (var dirs = Files.list(presets)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("config.json"))
                            && (Files.isRegularFile(d.resolve("vqvae.safetensors")) || Files.isRegularFile(d.resolve("vqvae.pth.tar"))))
                    .sorted(Comparator.comparing((Path d) -> !d.getFileName().toString().equals("default"))
                            .thenComparing(d -> d.getFileName().toString()))
                    .forEach(out::add);
        } catch (java.io.IOException e) {
            return List.of(); // no presets folder: nothing shipped
        }
        return out;
    }

    /** What the daemon loads by default: the shipped priors, else the fixture or the random demo model. */
    static List<Path> defaultDirs() {
        List<Path> shipped = shippedDirs();
        if (!shipped.isEmpty()) {
            return shipped;
        }
        List<Path> one = new ArrayList<>();
        one.add(defaultDir()); // may be null: the demo-sketch architecture with random weights
        return one;
    }

    private static Path weights(Path dir, String stem) {
        Path safetensors = dir.resolve(stem + ".safetensors");
        return Files.isRegularFile(safetensors) ? safetensors : dir.resolve(stem + ".pth.tar");
    }

    @Override
    public void close() {
        priors.values().forEach(Prior::close);
        vqvae.close();
    }
}
