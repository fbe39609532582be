package dev.segue.protocol.vectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/**
 * Test-only: a header as plain Java objects, to craft the invalid and lenient vectors by editing a
 * valid header. Never used on untrusted input (it reads with msgpack's recursive Value API).
 * Values: Long, BigInteger, Double, {@link F32}, String, Boolean, null (nil), List, Map,
 * byte[] (bin), {@link Raw} (bytes copied as they are, for non-canonical forms).
 */
public final class HeaderTree {
    private HeaderTree() {}

    /** A float32 value (the codec writes float64; decoders must accept both). */
    public record F32(float value) {}

    /** Pre-encoded msgpack, inserted verbatim. */
    public record Raw(byte[] bytes) {}

    /** A map written from key/value pairs as given: allows duplicate and non-string keys. */
    public record Pairs(List<Object> keysAndValues) {}

    @SuppressWarnings("unchecked")
    public static LinkedHashMap<String, Object> read(byte[] header) {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(header)) {
            return (LinkedHashMap<String, Object>) toJava(u.unpackValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object toJava(Value v) {
        switch (v.getValueType()) {
            case NIL: return null;
            case BOOLEAN: return v.asBooleanValue().getBoolean();
            case INTEGER: {
                BigInteger b = v.asIntegerValue().toBigInteger();
                return b.bitLength() <= 63 ? (Object) b.longValue() : b;
            }
            case FLOAT: return v.asFloatValue().toDouble();
            case STRING: return v.asStringValue().asString();
            case BINARY: return v.asBinaryValue().asByteArray();
            case ARRAY: {
                List<Object> out = new ArrayList<>();
                v.asArrayValue().forEach(e -> out.add(toJava(e)));
                return out;
            }
            case MAP: {
                LinkedHashMap<String, Object> out = new LinkedHashMap<>();
                v.asMapValue().map().forEach((k, e) -> out.put(k.asStringValue().asString(), toJava(e)));
                return out;
            }
            default: throw new IllegalArgumentException("unsupported " + v.getValueType());
        }
    }

    public static byte[] write(Object tree) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            pack(p, tree);
            return p.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pack(MessagePacker p, Object o) throws IOException {
        if (o == null) {
            p.packNil();
        } else if (o instanceof Boolean b) {
            p.packBoolean(b);
        } else if (o instanceof Integer i) {
            p.packLong(i);
        } else if (o instanceof Long l) {
            p.packLong(l);
        } else if (o instanceof BigInteger b) {
            p.packBigInteger(b);
        } else if (o instanceof Double d) {
            p.packDouble(d);
        } else if (o instanceof F32 f) {
            p.packFloat(f.value());
        } else if (o instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            p.packRawStringHeader(b.length);
            p.writePayload(b);
        } else if (o instanceof byte[] b) {
            p.packBinaryHeader(b.length);
            p.writePayload(b);
        } else if (o instanceof Raw r) {
            p.writePayload(r.bytes());
        } else if (o instanceof Pairs pairs) {
            p.packMapHeader(pairs.keysAndValues().size() / 2);
            for (Object e : pairs.keysAndValues()) {
                pack(p, e);
            }
        } else if (o instanceof List<?> list) {
            p.packArrayHeader(list.size());
            for (Object e : list) {
                pack(p, e);
            }
        } else if (o instanceof Map<?, ?> map) {
            p.packMapHeader(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                pack(p, e.getKey());
                pack(p, e.getValue());
            }
        } else {
            throw new IllegalArgumentException("unsupported " + o.getClass());
        }
    }
}
