package dev.segue.protocol;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * A msgpack map indexed by key, values located but unread. Indexing walks every value once, which
 * checks the structure (truncation, nesting depth, entry counts, string keys, no duplicates) before
 * any field is interpreted; unknown keys are then simply never read (forward compatibility).
 */
final class MapView {
    private final String prefix;
    private final Map<String, Slot> entries;

    private MapView(String prefix, Map<String, Slot> entries) {
        this.prefix = prefix;
        this.entries = entries;
    }

    /** The header map of frame 0: must be the whole frame. */
    static MapView header(byte[] frame) {
        return read(frame, 0, frame.length, "header", 1, true);
    }

    static MapView read(byte[] buf, int off, int end, String path, int depth, boolean whole) {
        String prefix = whole ? "" : path + ".";
        String at = path; // what is being read, for the error text
        try (MessageUnpacker u = Msgpack.open(buf, off, end)) {
            if (!u.hasNext()) {
                throw Check.bad(path, "empty");
            }
            if (u.getNextFormat().getValueType() != ValueType.MAP) {
                throw Check.bad(path, "expected map, got " + Msgpack.describe(u.getNextFormat()));
            }
            int n = u.unpackMapHeader();
            if (n > Bounds.MAX_MAP_ENTRIES) {
                throw Check.tooLarge(path, n + " entries exceeds " + Bounds.MAX_MAP_ENTRIES);
            }
            Map<String, Slot> entries = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                at = prefix + "keys[" + i + "]";
                String key = Msgpack.string(u, at, Bounds.MAX_KEY_BYTES);
                at = prefix + key;
                Slot slot = new Slot(buf, off + (int) u.getTotalReadBytes(), end, at, depth + 1);
                if (entries.put(key, slot) != null) {
                    throw Check.bad(at, "duplicate key");
                }
                Msgpack.skip(u, depth + 1, at);
            }
            at = path;
            if (whole && u.hasNext()) {
                throw Check.bad(path, "trailing bytes after the map");
            }
            return new MapView(prefix, entries);
        } catch (IOException | MessagePackException e) {
            throw Msgpack.malformed(at, e);
        }
    }

    /** A required field; nil counts as absent. */
    Slot get(String key) {
        Slot s = opt(key);
        if (s == null) {
            throw Check.bad(prefix + key, "missing");
        }
        return s;
    }

    /** An optional field, or null when absent or nil. */
    Slot opt(String key) {
        Slot s = entries.get(key);
        return s == null || s.isNil() ? null : s;
    }

    /** The wire path of a key of this map, for error texts. */
    String path(String key) {
        return prefix + key;
    }

    /** All entries in wire order (for open maps such as result metadata). */
    Map<String, Slot> entries() {
        return Collections.unmodifiableMap(entries);
    }
}
