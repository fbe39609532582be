package dev.segue.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@code config.json} as the fixtures and presets lay it out: one VQ-VAE and priors keyed by level. A
 * prior keyed by a name instead of a level number (the lyrics fixtures: {@code single_enc_dec},
 * {@code sep_enc_dec}, both top priors) is an alternative model for its level and lands in {@code named}.
 */
public record ModelConfig(VqVaeConfig vqvae, Map<Integer, PriorConfig> priors, Map<String, PriorConfig> named) {
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

    public ModelConfig(VqVaeConfig vqvae, Map<Integer, PriorConfig> priors) {
        this(vqvae, priors, Map.of());
    }

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
        Map<String, PriorConfig> named = new TreeMap<>();
        JsonNode p = root.get("priors");
        if (p != null && p.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                PriorConfig cfg = PriorConfig.fromJson(e.getValue(), where + ": priors." + e.getKey());
                boolean byName = !e.getKey().isEmpty() && !Character.isDigit(e.getKey().charAt(0));
                if (byName && !NAME.matcher(e.getKey()).matches()) {
                    throw new ConfigException(where + ": priors." + e.getKey() + ": a prior's name must be a letter "
                            + "followed by up to 63 letters, digits or underscores");
                }
                if (!byName && !e.getKey().equals(Integer.toString(cfg.level()))) {
                    throw new ConfigException(where + ": priors." + e.getKey() + " declares level " + cfg.level());
                }
                if (cfg.level() >= vqvae.levels()) {
                    throw new ConfigException(where + ": prior level " + cfg.level() + " but the VQ-VAE has "
                            + vqvae.levels() + " levels");
                }
                if (byName) {
                    named.put(e.getKey(), cfg);
                } else {
                    priors.put(cfg.level(), cfg);
                }
            }
        }
        return new ModelConfig(vqvae, priors, named);
    }
}
