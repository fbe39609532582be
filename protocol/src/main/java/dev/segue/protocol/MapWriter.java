package dev.segue.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * Builds one msgpack map in the canonical form: keys in the order they are put, integers in their
 * smallest encoding (unsigned forms for non-negative values), floats always float64, strings
 * in the smallest str header. Entries are counted as they are written so the map header is exact.
 */
final class MapWriter {
    private final MessageBufferPacker body = MessagePack.newDefaultBufferPacker();
    private int count;

    MapWriter str(String key, String value) {
        return put(key, p -> string(p, value));
    }

    /** Writes the entry only when {@code value} is non-null (optional fields are omitted, never nil). */
    MapWriter optStr(String key, String value) {
        return value == null ? this : str(key, value);
    }

    /** Written only when {@code value} is non-null. */
    MapWriter optI64(String key, Long value) {
        return value == null ? this : i64(key, value);
    }

    /** Written only when {@code value} is non-null. */
    MapWriter optBool(String key, Boolean value) {
        return value == null ? this : bool(key, value);
    }

    MapWriter i64(String key, long value) {
        return put(key, p -> p.packLong(value));
    }

    /** A uint64 held in a long's bits. */
    MapWriter u64(String key, long bits) {
        return put(key, p -> {
            if (bits >= 0) {
                p.packLong(bits);
            } else {
                p.packBigInteger(new BigInteger(Long.toUnsignedString(bits)));
            }
        });
    }

    MapWriter f64(String key, double value) {
        return put(key, p -> p.packDouble(value));
    }

    MapWriter bool(String key, boolean value) {
        return put(key, p -> p.packBoolean(value));
    }

    MapWriter map(String key, MapWriter value) {
        return put(key, value::writeTo);
    }

    MapWriter strings(String key, List<String> values) {
        return put(key, p -> {
            p.packArrayHeader(values.size());
            for (String v : values) {
                string(p, v);
            }
        });
    }

    MapWriter doubles(String key, List<Double> values) {
        return put(key, p -> {
            p.packArrayHeader(values.size());
            for (double v : values) {
                p.packDouble(v);
            }
        });
    }

    MapWriter maps(String key, List<MapWriter> values) {
        return put(key, p -> {
            p.packArrayHeader(values.size());
            for (MapWriter v : values) {
                v.writeTo(p);
            }
        });
    }

    /** The map as a standalone msgpack value (a header frame). */
    byte[] toBytes() {
        try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
            writeTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeTo(MessagePacker p) throws IOException {
        p.packMapHeader(count);
        p.writePayload(body.toByteArray());
    }

    private interface Write {
        void to(MessagePacker p) throws IOException;
    }

    private MapWriter put(String key, Write value) {
        try {
            string(body, key);
            value.to(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory packer: cannot happen
        }
        count++;
        return this;
    }

    /** UTF-8 bytes with the smallest str header; validity was checked by the message record. */
    private static void string(MessagePacker p, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.packRawStringHeader(b.length);
        p.writePayload(b);
    }
}
