package dev.segue.engine.resident;

import dev.segue.engine.checkpoint.WeightFormat;
import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.labels.LabelNames;
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
 *
 * <p>Named top priors. A config.json may key top priors by name instead of level (the lyrics fixture:
 * {@code single_enc_dec}, {@code sep_enc_dec}, weights {@code prior_NAME.*}). {@link #loadAll} makes one
 * model of each top prior in the folder: the level-keyed one named after the folder, each named one
 * {@code <folder>/<name>}; they share the folder's VQ-VAE and upsamplers, which the first model owns.
 *
 * <p>Label lists. {@code artists.txt} and {@code genres.txt} beside config.json ({@link LabelNames}) let a
 * request name an artist and a genre for a labelled top prior; without them, a labelled prior takes only
 * its neutral label row.
 */
public record ResidentModel(String name, String description, VqVae vqvae, Map<Integer, Prior> priors, LabelNames labelNames,
                     List<AutoCloseable> owned) implements AutoCloseable {

    /** The first model of the folder (the level-keyed top prior, else the first named one). */
    public static ResidentModel load(NDManager root, Path modelDir) {
        List<ResidentModel> all = loadAll(root, modelDir != null ? modelDir : defaultDir());
        for (int i = 1; i < all.size(); i++) {
            all.get(i).close();
        }
        return all.get(0);
    }

    /** presets/demo-sketch.json with seeded random weights, whatever else is present. */
    public static ResidentModel demoSketch(NDManager root) {
        return loadAll(root, null).get(0);
    }

    /** The top prior. */
    public Prior top() {
        return priors.get(java.util.Collections.max(priors.keySet()));
    }

    /** Every top prior of a folder as its own model (see the class comment); null: the demo-sketch model. */
    public static List<ResidentModel> loadAll(NDManager root, Path dir) {
        return loadAll(root, dir, null, WeightFormat.FP32);
    }

    /**
     * As {@link #loadAll(NDManager, Path)} with the config from {@code configFile} when the folder has none, and the
     * priors' large matrices held as {@code format} says.
     */
    public static List<ResidentModel> loadAll(NDManager root, Path dir, Path configFile, WeightFormat format) {
        ModelConfig config = configFile != null ? ModelConfig.load(configFile)
                : dir != null ? ModelConfig.load(dir.resolve("config.json"))
                : ModelConfig.load(PresetFiles.resolve("demo-sketch"));
        int topLevel = config.vqvae().levels() - 1;
        Map<String, PriorConfig> named = new TreeMap<>();
        if (dir != null) {
            config.named().forEach((n, pc) -> {
                if (pc.level() == topLevel) {
                    named.put(n, pc);
                }
            });
        }
        if (config.priors().get(topLevel) == null && named.isEmpty()) {
            throw new IllegalArgumentException((dir == null ? "demo-sketch" : dir.toString()) + " has no top-level prior");
        }
        List<AutoCloseable> shared = new ArrayList<>();
        List<ResidentModel> out = new ArrayList<>();
        try {
            VqVae vqvae;
            try (WeightStore vq = dir != null ? Checkpoints.open(weights(dir, "vqvae")) : new RandomWeights(1)) {
                vqvae = new VqVae(config.vqvae(), vq, root);
            }
            shared.add(vqvae);
            // Upsamplers: each level below the top whose weights are present, down to the first one missing.
            Map<Integer, Prior> upsamplers = new TreeMap<>();
            for (int level = topLevel - 1; level >= 0 && dir != null; level--) {
                PriorConfig pc = config.priors().get(level);
                Path file = weights(dir, "prior_level_" + level);
                if (pc == null || !Files.isRegularFile(file)) {
                    break; // an upsampler is only useful with every level above it
                }
                try (WeightStore pr = Checkpoints.open(file)) {
                    Prior p = new Prior(pc, config.vqvae(), pr, root, format);
                    shared.add(p);
                    upsamplers.put(level, p);
                }
            }
            String folder = dir == null ? "demo-sketch" : dir.getFileName().toString();
            Map<String, String> tops = new java.util.LinkedHashMap<>();
            if (config.priors().get(topLevel) != null) {
                tops.put(folder, "prior_level_" + topLevel);
            }
            named.keySet().forEach(n -> tops.put(folder + "/" + n, "prior_" + n));
            for (var e : tops.entrySet()) {
                PriorConfig pc = e.getKey().equals(folder) ? config.priors().get(topLevel)
                        : named.get(e.getKey().substring(folder.length() + 1));
                Prior top;
                try (WeightStore pr = dir != null ? Checkpoints.open(weights(dir, e.getValue())) : new RandomWeights(2)) {
                    top = new Prior(pc, config.vqvae(), pr, root, format);
                }
                List<AutoCloseable> owned = new ArrayList<>();
                owned.add(top);
                if (out.isEmpty()) {
                    owned.addAll(shared); // the first model closes what all of them share
                }
                Map<Integer, Prior> priors = new TreeMap<>(upsamplers);
                priors.put(topLevel, top);
                LabelNames names = dir != null && pc.labels() ? LabelNames.load(dir, pc) : null;
                String description = (dir == null ? "presets/demo-sketch.json (seeded random weights)" : dir.toString())
                        + (e.getKey().equals(folder) ? "" : " prior '" + e.getKey().substring(folder.length() + 1) + "'")
                        + ", prior levels " + priors.keySet() + (pc.usesLyrics() ? ", lyrics" : "")
                        + (names == null ? "" : ", " + names.artistNames().size() + " artists, "
                                + names.genreNames().size() + " genres");
                out.add(new ResidentModel(e.getKey(), description, vqvae, priors, names, owned));
            }
            return out;
        } catch (RuntimeException e) {
            if (out.isEmpty()) {
                shared.forEach(ResidentModel::closeQuietly);
            }
            out.forEach(ResidentModel::close);
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing weights frees native memory; there is nothing to report
        }
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
        Path presets = PresetFiles.home().resolve("presets");
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
    public static List<Path> defaultDirs() {
        List<Path> shipped = shippedDirs();
        if (!shipped.isEmpty()) {
            return shipped;
        }
        List<Path> one = new ArrayList<>();
        one.add(defaultDir()); // may be null: the demo-sketch architecture with random weights
        return one;
    }

    static Path weights(Path dir, String stem) {
        Path safetensors = dir.resolve(stem + ".safetensors");
        return Files.isRegularFile(safetensors) ? safetensors : dir.resolve(stem + ".pth.tar");
    }

    /** Closes what this model owns: its top prior and, for the first model of a folder, the shared parts. */
    @Override
    public void close() {
        owned.forEach(ResidentModel::closeQuietly);
    }
}
