package dev.segue.protocol;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * One located, not yet read, value of a header, named by its wire path. Reading checks the msgpack
 * type and turns any msgpack failure into BAD_MESSAGE naming the path. The header's structure was
 * already walked by {@link MapView}, so lengths here are known to stay inside the frame.
 */
final class Slot {
    private final byte[] buf;
    private final int off;
    private final int end;
    private final String path;
    private final int depth;

    Slot(byte[] buf, int off, int end, String path, int depth) {
        this.buf = buf;
        this.off = off;
        this.end = end;
        this.path = path;
        this.depth = depth;
    }

    String path() {
        return path;
    }

    boolean isNil() {
        return read(u -> u.getNextFormat() == MessageFormat.NIL);
    }

    /** Any msgpack integer that fits a signed 64-bit value. */
    long int64() {
        return read(u -> {
            MessageFormat f = expect(u, ValueType.INTEGER, "integer");
            if (f == MessageFormat.UINT64) {
                BigInteger b = u.unpackBigInteger();
                if (b.bitLength() > 63) {
                    throw Check.bad(path, b + " out of range");
                }
                return b.longValue();
            }
            return u.unpackLong();
        });
    }

    /** An integer that must fit a Java int; the record then checks the field's real range. */
    int int32() {
        long v = int64();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw Check.bad(path, v + " out of range");
        }
        return (int) v;
    }

    /** A uint64, returned as the bits of a long. Negative integers are rejected. */
    long uint64() {
        return read(u -> {
            MessageFormat f = expect(u, ValueType.INTEGER, "integer");
            if (f == MessageFormat.UINT64) {
                return u.unpackBigInteger().longValue(); // keeps the low 64 bits: the unsigned value
            }
            long v = u.unpackLong();
            if (v < 0) {
                throw Check.bad(path, v + " is negative, expected uint64");
            }
            return v;
        });
    }

    /** A float; integers are accepted too (a C encoder may write 120 for 120.0). */
    double float64() {
        return read(u -> {
            ValueType t = u.getNextFormat().getValueType();
            if (t == ValueType.INTEGER) {
                return (double) int64();
            }
            expect(u, ValueType.FLOAT, "float");
            return u.unpackDouble();
        });
    }

    boolean bool() {
        return read(u -> {
            expect(u, ValueType.BOOLEAN, "boolean");
            return u.unpackBoolean();
        });
    }

    /** A string of at most {@code maxBytes}; longer ones are TOO_LARGE before they are decoded. */
    String string(int maxBytes) {
        return read(u -> Msgpack.string(u, path, maxBytes));
    }

    MapView map() {
        return MapView.read(buf, off, end, path, depth, false);
    }

    /** The elements of an array of at most {@code max} entries. */
    List<Slot> array(int max) {
        return read(u -> {
            expect(u, ValueType.ARRAY, "array");
            int n = u.unpackArrayHeader();
            if (n > max) {
                throw Check.tooLarge(path, n + " entries exceeds " + max);
            }
            List<Slot> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int at = off + (int) u.getTotalReadBytes();
                out.add(new Slot(buf, at, end, path + "[" + i + "]", depth + 1));
                u.skipValue(); // depth was bounded when the header was first walked
            }
            return out;
        });
    }

    private MessageFormat expect(MessageUnpacker u, ValueType type, String name) throws IOException {
        MessageFormat f = u.getNextFormat();
        if (f == MessageFormat.NEVER_USED || f.getValueType() != type) {
            throw Check.bad(path, "expected " + name + ", got " + Msgpack.describe(f));
        }
        return f;
    }

    private interface Read<T> {
        T apply(MessageUnpacker u) throws IOException;
    }

    private <T> T read(Read<T> r) {
        try (MessageUnpacker u = Msgpack.open(buf, off, end)) {
            return r.apply(u);
        } catch (IOException | MessagePackException e) {
            throw Msgpack.malformed(path, e);
        }
    }
}
