package dev.segue.engine.config;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads reference hyper-parameters from JSON with defaults, failing with the key's name when mistyped. */
final class JsonConfig {
    private final JsonNode node;
    private final String where;

    JsonConfig(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new ConfigException(where + ": expected a JSON object");
        }
        this.node = node;
        this.where = where;
    }

    int integer(String key, int fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new ConfigException(where + "." + key + ": expected an integer, found " + v);
        }
        return v.intValue();
    }

    int requiredInt(String key) {
        if (!node.has(key)) {
            throw new ConfigException(where + "." + key + ": missing");
        }
        return integer(key, 0);
    }

    Integer optionalInt(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : integer(key, 0);
    }

    double number(String key, double fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new ConfigException(where + "." + key + ": expected a number, found " + v);
        }
        return v.doubleValue();
    }

    boolean bool(String key, boolean fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber()) {
            return v.intValue() != 0;
        }
        throw new ConfigException(where + "." + key + ": expected true/false, found " + v);
    }

    int[] ints(String key, int[] fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isArray()) {
            throw new ConfigException(where + "." + key + ": expected a list of integers, found " + v);
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isIntegralNumber()) {
                throw new ConfigException(where + "." + key + "[" + i + "]: expected an integer");
            }
            out[i] = v.get(i).intValue();
        }
        return out;
    }
}
