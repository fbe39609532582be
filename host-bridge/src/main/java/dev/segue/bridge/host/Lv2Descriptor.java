package dev.segue.bridge.host;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * One plugin's {@code LV2_Descriptor}, found by calling the binary's {@code lv2_descriptor(index)}
 * until the URI matches, with its function pointers wrapped as JNA {@link Function}s.
 *
 * <p>Layout on LP64: URI, instantiate, connect_port, activate, run, deactivate, cleanup,
 * extension_data, each a pointer (activate, deactivate and extension_data may be NULL). The library stays loaded for the life of the process: plugins may
 * leave threads or atexit handlers behind, and unloading under them would crash the JVM.
 */
final class Lv2Descriptor {
    private static final int RTLD_NOW = 2; // resolve everything at load: a missing symbol fails here, not mid-render
    /**
     * Strong references to every plugin library loaded. JNA unloads (dlclose) a NativeLibrary once
     * the object is garbage collected, which would leave every descriptor pointer dangling; the
     * first GC after loading a plugin then crashed the JVM in activate().
     */
    private static final java.util.Set<NativeLibrary> LOADED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** lv2_descriptor indices are dense from 0; a binary with more than this is broken. */
    private static final int MAX_INDEX = 4096;

    final Pointer pointer;
    final Function instantiate, connectPort, activate, run, deactivate, cleanup, extensionData;

    private Lv2Descriptor(Pointer p) {
        pointer = p;
        int w = com.sun.jna.Native.POINTER_SIZE;
        instantiate = fn(p, 1 * w, "instantiate");
        connectPort = fn(p, 2 * w, "connect_port");
        activate = optionalFn(p, 3 * w);
        run = fn(p, 4 * w, "run");
        deactivate = optionalFn(p, 5 * w);
        cleanup = fn(p, 6 * w, "cleanup");
        extensionData = optionalFn(p, 7 * w);
    }

    static Lv2Descriptor load(Path library, String uri) throws IOException {
        NativeLibrary lib;
        try {
            lib = NativeLibrary.getInstance(library.toString(), Map.of(Library.OPTION_OPEN_FLAGS, RTLD_NOW));
        } catch (UnsatisfiedLinkError e) {
            throw new IOException(library + ": cannot load the plugin binary: " + e.getMessage(), e);
        }
        LOADED.add(lib);
        Function entry;
        try {
            entry = lib.getFunction("lv2_descriptor");
        } catch (UnsatisfiedLinkError e) {
            throw new IOException(library + ": exports no lv2_descriptor (lv2_lib_descriptor-only binaries are not supported)", e);
        }
        for (int i = 0; i < MAX_INDEX; i++) {
            Pointer d = (Pointer) entry.invoke(Pointer.class, new Object[] {i});
            if (d == null) {
                break;
            }
            Pointer uriPtr = d.getPointer(0);
            if (uriPtr != null && uri.equals(uriPtr.getString(0, "UTF-8"))) {
                return new Lv2Descriptor(d);
            }
        }
        throw new IOException(library + ": no descriptor for " + uri);
    }

    private static Function fn(Pointer d, long offset, String name) {
        Pointer f = d.getPointer(offset);
        if (f == null) {
            throw new IllegalStateException("the plugin's descriptor has no " + name + " function");
        }
        return Function.getFunction(f);
    }

    /** The plugin's data for an extension URI, or null. */
    Pointer extension(String uri) {
        return extensionData == null ? null : (Pointer) extensionData.invoke(Pointer.class, new Object[] {uri});
    }

    private static Function optionalFn(Pointer d, long offset) {
        Pointer f = d.getPointer(offset);
        return f == null ? null : Function.getFunction(f);
    }
}
