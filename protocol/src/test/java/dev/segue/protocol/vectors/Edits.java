package dev.segue.protocol.vectors;

import dev.segue.protocol.ProtocolCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Small helpers to derive a vector from a valid example by one edit. */
final class Edits {
    private Edits() {}

    static List<byte[]> frames(String example) {
        return ProtocolCodec.encode(Examples.get(example));
    }

    /** The example with its header edited (as a tree) and its audio frame, if any, kept. */
    static List<byte[]> edit(String example, Consumer<LinkedHashMap<String, Object>> edit) {
        List<byte[]> f = new ArrayList<>(frames(example));
        LinkedHashMap<String, Object> h = HeaderTree.read(f.get(0));
        edit.accept(h);
        f.set(0, HeaderTree.write(h));
        return f;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> sub(Map<String, Object> h, String key) {
        return (Map<String, Object>) h.get(key);
    }

    static Consumer<LinkedHashMap<String, Object>> put(String key, Object value) {
        return h -> h.put(key, value);
    }

    static Consumer<LinkedHashMap<String, Object>> putIn(String map, String key, Object value) {
        return h -> sub(h, map).put(key, value);
    }

    static Consumer<LinkedHashMap<String, Object>> remove(String key) {
        return h -> h.remove(key);
    }

    static Consumer<LinkedHashMap<String, Object>> removeIn(String map, String key) {
        return h -> sub(h, map).remove(key);
    }

    /** The example with its audio frame replaced. */
    static List<byte[]> withAudio(String example, byte[] audio) {
        List<byte[]> f = new ArrayList<>(frames(example));
        f.set(1, audio);
        return f;
    }

    /** The example's audio with sample {@code index} set to {@code value}. */
    static List<byte[]> withSample(String example, int index, float value) {
        byte[] audio = frames(example).get(1).clone();
        ByteBuffer.wrap(audio).order(ByteOrder.LITTLE_ENDIAN).putFloat(index * 4, value);
        return withAudio(example, audio);
    }

    static List<byte[]> raw(byte[]... frames) {
        return List.of(frames);
    }

    /** {@code n} arrays nested in each other, the innermost empty. */
    static Object nested(int n) {
        Object o = List.of();
        for (int i = 1; i < n; i++) {
            o = List.of(o);
        }
        return o;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
