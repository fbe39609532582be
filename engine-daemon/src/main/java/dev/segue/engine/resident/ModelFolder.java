package dev.segue.engine.resident;

import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.resident.ComputeDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model folder as the daemon sees it before loading anything: its config (its own {@code config.json}, else
 * the preset it was given), the top priors {@link ResidentModel#loadAll} will make of it (same names, same
 * order), how many upsampler levels it has files for, and how much memory it takes once loaded, from the
 * checkpoints' headers. {@code dir} null is the demo-sketch model with seeded random weights.
 */
public record ModelFolder(Path dir, Path configFile, ModelConfig config, List<Top> tops, int upsamplers) {
    /** One top prior of the folder: its daemon name and config. */
    record Top(String name, PriorConfig config) {
    }

    public static ModelFolder of(Path dir, String preset) {
        Path configFile;
        if (dir == null) {
            configFile = PresetFiles.resolve("demo-sketch");
        } else if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--model " + dir + ": not a folder");
        } else if (Files.isRegularFile(dir.resolve("config.json"))) {
            configFile = dir.resolve("config.json");
        } else if (preset != null) {
            configFile = PresetFiles.resolve(preset);
        } else {
            throw new IllegalArgumentException("--model " + dir + " has no config.json: copy the preset in as config.json "
                    + "(presets/jukebox-5b.json, jukebox-5b-lyrics.json or jukebox-1b-lyrics.json) or pass --preset NAME");
        }
        ModelConfig config = ModelConfig.load(configFile);
        int topLevel = config.vqvae().levels() - 1;
        String folder = dir == null ? "demo-sketch" : dir.getFileName().toString();
        List<Top> tops = new ArrayList<>();
        if (config.priors().get(topLevel) != null) {
            tops.add(new Top(folder, config.priors().get(topLevel)));
        }
        if (dir != null) {
            Map<String, PriorConfig> named = new TreeMap<>(config.named());
            named.forEach((n, pc) -> {
                if (pc.level() == topLevel) {
                    tops.add(new Top(folder + "/" + n, pc));
                }
            });
        }
        if (tops.isEmpty()) {
            throw new IllegalArgumentException(folder + " has no top-level prior");
        }
        int upsamplers = 0;
        for (int level = topLevel - 1; level >= 0 && dir != null; level--) {
            if (config.priors().get(level) == null || !Files.isRegularFile(ResidentModel.weights(dir, "prior_level_" + level))) {
                break;
            }
            upsamplers++;
        }
        return new ModelFolder(dir, configFile, config, List.copyOf(tops), upsamplers);
    }

    String name() {
        return dir == null ? "demo-sketch" : dir.getFileName().toString();
    }

    /**
     * Memory the folder takes once loaded on {@code device} with the priors' large matrices held as {@code format},
     * from the checkpoints' headers; -1 for random weights (measured when they load). The VQ-VAE and the priors'
     * small tensors stay fp32. A matrix held in half precision is one copy that prefill and the step kernel share;
     * one held in fp32 is held a second time by the CPU step kernel once it has stepped, so it counts twice there.
     */
    public long estimateBytes(ComputeDevice device, WeightFormat format) {
        if (dir == null) {
            return -1;
        }
        int topLevel = config.vqvae().levels() - 1;
        long bytes = 4 * elements(ResidentModel.weights(dir, "vqvae"));
        for (int level = topLevel - 1; level >= topLevel - upsamplers; level--) {
            bytes += priorBytes(ResidentModel.weights(dir, "prior_level_" + level), device, format);
        }
        for (Top t : tops) {
            String stem = t.name().equals(name()) ? "prior_level_" + topLevel
                    : "prior_" + t.name().substring(name().length() + 1);
            bytes += priorBytes(ResidentModel.weights(dir, stem), device, format);
        }
        return bytes;
    }

    private static long priorBytes(Path file, ComputeDevice device, WeightFormat format) {
        try (WeightStore store = Checkpoints.open(file)) {
            long n = 0;
            for (String name : store.names()) {
                TensorEntry e = store.get(name);
                if (!e.dtype().isFloating()) {
                    continue;
                }
                DType held = format.held(e.dtype());
                n += held == DType.F32 ? 4L * e.elementCount() * (device.cuda() ? 1 : 2) : 2L * e.elementCount();
            }
            return n;
        }
    }

    private static long elements(Path file) {
        try (WeightStore store = Checkpoints.open(file)) {
            long n = 0;
            for (String name : store.names()) {
                TensorEntry e = store.get(name);
                n += e.dtype().isFloating() ? e.elementCount() : 0;
            }
            return n;
        }
    }
}
