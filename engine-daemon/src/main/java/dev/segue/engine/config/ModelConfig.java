package dev.segue.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/** A {@code config.json} as the fixtures and presets lay it out: one VQ-VAE and priors keyed by level. */
public record ModelConfig(VqVaeConfig vqvae, Map<Integer, PriorConfig> priors) {
    /** Bound on the config file itself: it is a few kilobytes of hyper-parameters, never more. */
    private static final long MAX_CONFIG_BYTES = 1 << 20;

    public static ModelConfig load(Path file) {
        try {
            if (Files.size(file) > MAX_CONFIG_BYTES) {
                throw new ConfigException(file + ": larger than " + MAX_CONFIG_BYTES + " bytes; not a model config");
            }
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            return fromJson(root, file.toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    public static ModelConfig fromJson(JsonNode root, String where) {
        if (root == null || !root.isObject()) {
            throw new ConfigException(where + ": expected a JSON object");
        }
        VqVaeConfig vqvae = VqVaeConfig.fromJson(root.get("vqvae"));
        Map<Integer, PriorConfig> priors = new TreeMap<>();
        JsonNode p = root.get("priors");
        if (p != null && p.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                PriorConfig cfg = PriorConfig.fromJson(e.getValue(), where + ": priors." + e.getKey());
                if (!e.getKey().equals(Integer.toString(cfg.level()))) {
                    throw new ConfigException(where + ": priors." + e.getKey() + " declares level " + cfg.level());
                }
                if (cfg.level() >= vqvae.levels()) {
                    throw new ConfigException(where + ": prior level " + cfg.level() + " but the VQ-VAE has "
                            + vqvae.levels() + " levels");
                }
                priors.put(cfg.level(), cfg);
            }
        }
        return new ModelConfig(vqvae, priors);
    }
}
