package dev.segue.engine.checkpoint;

import ai.djl.ndarray.NDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every parameter a model built in training mode created, by its reference state-dict name. The trainer
 * attaches gradients to these very arrays (the forward pass uses them unchanged) and writes them back
 * under the same names, so the inference classes load a trained file like any published one.
 */
public final class ParameterSet {
    private final Map<String, NDArray> byName = new LinkedHashMap<>();
    /** Names the reference stores twice (tied weights): saved as copies of their source. */
    private final Map<String, String> aliases = new LinkedHashMap<>();

    void add(String name, NDArray array) {
        if (byName.putIfAbsent(name, array) != null) {
            throw new IllegalStateException("parameter " + name + " created twice");
        }
    }

    /** Records that the state dict also holds {@code name}, equal to the parameter {@code source}. */
    public void alias(String name, String source) {
        aliases.put(name, source);
    }

    public Map<String, NDArray> all() {
        return Collections.unmodifiableMap(byName);
    }

    public NDArray get(String name) {
        NDArray a = byName.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return a;
    }

    public long elementCount() {
        long n = 0;
        for (NDArray a : byName.values()) {
            n += a.size();
        }
        return n;
    }

    /** The parameters (and aliases) as float32 tensors in the reference layout, ready for safetensors. */
    public List<TensorEntry> toTensorEntries(boolean withAliases) {
        List<TensorEntry> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : byName.entrySet()) {
            out.add(entry(e.getKey(), e.getValue()));
        }
        if (withAliases) {
            for (Map.Entry<String, String> e : aliases.entrySet()) {
                out.add(entry(e.getKey(), get(e.getValue())));
            }
        }
        return out;
    }

    public static TensorEntry entry(String name, NDArray array) {
        float[] values = array.toFloatArray();
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return new TensorEntry(name, DType.F32, array.getShape().getShape(), buf);
    }
}
