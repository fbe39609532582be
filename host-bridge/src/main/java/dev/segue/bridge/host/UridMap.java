package dev.segue.bridge.host;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's URI&lt;-&gt;URID table and the {@code urid:map} / {@code urid:unmap} features over it.
 * Plugins may call map from any thread (a worker thread, instantiate, run), so the table is
 * thread-safe: lookups are lock-free, a new URI takes a lock once. URIDs start at 1 (0 means "no
 * URID"). Unmapped strings are kept as native copies for the life of the table, as the LV2 spec
 * requires the returned pointer to stay valid.
 */
public final class UridMap {
    /** Bounds a plugin that maps garbage in a loop: real hosts see a few hundred URIs. */
    static final int MAX_URIS = 1 << 16;
    static final int MAX_URI_BYTES = 8192;

    private final Map<String, Integer> ids = new ConcurrentHashMap<>();
    private final List<Memory> names = new ArrayList<>(); // index = urid - 1, guarded by this
    private volatile int count;

    /** LV2_URID (*map)(LV2_URID_Map_Handle, const char*) */
    public interface MapCallback extends Callback {
        int invoke(Pointer handle, Pointer uri);
    }

    /** const char* (*unmap)(LV2_URID_Unmap_Handle, LV2_URID) */
    public interface UnmapCallback extends Callback {
        Pointer invoke(Pointer handle, int urid);
    }

    // Held as fields: JNA frees a callback's native trampoline once its Java object is collected.
    private final MapCallback mapCallback = (handle, uri) -> uri == null ? 0 : mapNative(uri);
    private final UnmapCallback unmapCallback = (handle, urid) -> nameOf(urid);
    private final Memory mapStruct = new Memory(2L * Native.POINTER_SIZE);
    private final Memory unmapStruct = new Memory(2L * Native.POINTER_SIZE);

    public UridMap() {
        // struct { void* handle; fn* map; }: the handle is unused, the table is this object.
        mapStruct.setPointer(0, null);
        mapStruct.setPointer(Native.POINTER_SIZE, CallbackReference.getFunctionPointer(mapCallback));
        unmapStruct.setPointer(0, null);
        unmapStruct.setPointer(Native.POINTER_SIZE, CallbackReference.getFunctionPointer(unmapCallback));
    }

    /** @return the URID of {@code uri}, allocating one on first use; 0 when the table is full */
    public int map(String uri) {
        Integer id = ids.get(uri);
        if (id != null) {
            return id;
        }
        synchronized (this) {
            id = ids.get(uri);
            if (id != null) {
                return id;
            }
            if (names.size() >= MAX_URIS) {
                return 0; // the spec's answer for "cannot map"
            }
            byte[] utf8 = uri.getBytes(StandardCharsets.UTF_8);
            Memory copy = new Memory(utf8.length + 1L);
            copy.write(0, utf8, 0, utf8.length);
            copy.setByte(utf8.length, (byte) 0);
            names.add(copy);
            int urid = names.size();
            ids.put(uri, urid);
            count = urid;
            return urid;
        }
    }

    /** @return the URI of {@code urid}, or null if it was never handed out */
    public String unmap(int urid) {
        Pointer p = nameOf(urid);
        return p == null ? null : p.getString(0, "UTF-8");
    }

    private int mapNative(Pointer uri) {
        // Bounded read: a plugin passing an unterminated string must not walk us through memory forever.
        for (int len = 0; len <= MAX_URI_BYTES; len++) {
            if (uri.getByte(len) == 0) {
                return map(new String(uri.getByteArray(0, len), StandardCharsets.UTF_8));
            }
        }
        return 0;
    }

    private Pointer nameOf(int urid) {
        if (urid < 1 || urid > count) {
            return null;
        }
        synchronized (this) {
            return names.get(urid - 1);
        }
    }

    /** The {@code LV2_URID_Map} struct to pass as the map feature's data. */
    Pointer mapFeatureData() {
        return mapStruct;
    }

    /** The {@code LV2_URID_Unmap} struct to pass as the unmap feature's data. */
    Pointer unmapFeatureData() {
        return unmapStruct;
    }
}
