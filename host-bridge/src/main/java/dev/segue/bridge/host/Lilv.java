package dev.segue.bridge.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * The few lilv 0.24 functions the host needs to read plugin bundles (Turtle parsing, port classes,
 * ranges, library location). C {@code bool} results are declared as {@code byte}: only the low byte
 * of the return register is defined for a C bool, and JNA's {@code boolean} reads a whole int.
 * Opaque lilv handles are plain {@link Pointer}s; nodes this side creates are freed by the caller.
 */
interface Lilv extends Library {
    /** Debian's runtime package (liblilv-0-0) ships only the versioned name; -dev adds the plain one. */
    static Lilv load() {
        UnsatisfiedLinkError first = null;
        for (String name : new String[] {"lilv-0", "liblilv-0.so.0"}) {
            try {
                return Native.load(name, Lilv.class);
            } catch (UnsatisfiedLinkError e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        throw new UnsatisfiedLinkError("lilv is not installed (Debian: apt-get install liblilv-0-0): " + first.getMessage());
    }

    Pointer lilv_world_new();

    void lilv_world_free(Pointer world);

    void lilv_world_load_all(Pointer world);

    void lilv_world_load_bundle(Pointer world, Pointer bundleUri);

    Pointer lilv_world_get_all_plugins(Pointer world);

    Pointer lilv_new_uri(Pointer world, String uri);

    Pointer lilv_new_file_uri(Pointer world, String host, String path);

    void lilv_node_free(Pointer node);

    String lilv_node_as_uri(Pointer node);

    String lilv_node_as_string(Pointer node);

    byte lilv_node_is_float(Pointer node);

    byte lilv_node_is_int(Pointer node);

    float lilv_node_as_float(Pointer node);

    int lilv_node_as_int(Pointer node);

    /** Returns a string lilv allocated; free it with {@link #lilv_free}. */
    Pointer lilv_file_uri_parse(String uri, Pointer hostnameOut);

    void lilv_free(Pointer p);

    int lilv_nodes_size(Pointer nodes);

    Pointer lilv_nodes_begin(Pointer nodes);

    Pointer lilv_nodes_get(Pointer nodes, Pointer iter);

    Pointer lilv_nodes_next(Pointer nodes, Pointer iter);

    byte lilv_nodes_is_end(Pointer nodes, Pointer iter);

    void lilv_nodes_free(Pointer nodes);

    Pointer lilv_plugins_begin(Pointer plugins);

    Pointer lilv_plugins_get(Pointer plugins, Pointer iter);

    Pointer lilv_plugins_next(Pointer plugins, Pointer iter);

    byte lilv_plugins_is_end(Pointer plugins, Pointer iter);

    Pointer lilv_plugins_get_by_uri(Pointer plugins, Pointer uri);

    Pointer lilv_plugin_get_uri(Pointer plugin);

    Pointer lilv_plugin_get_bundle_uri(Pointer plugin);

    Pointer lilv_plugin_get_library_uri(Pointer plugin);

    /** Returns a node the caller frees. */
    Pointer lilv_plugin_get_name(Pointer plugin);

    /** Returns nodes the caller frees. */
    Pointer lilv_plugin_get_required_features(Pointer plugin);

    int lilv_plugin_get_num_ports(Pointer plugin);

    Pointer lilv_plugin_get_port_by_index(Pointer plugin, int index);

    Pointer lilv_port_get_symbol(Pointer plugin, Pointer port);

    /** Returns a node the caller frees. */
    Pointer lilv_port_get_name(Pointer plugin, Pointer port);

    byte lilv_port_is_a(Pointer plugin, Pointer port, Pointer portClass);

    byte lilv_port_has_property(Pointer plugin, Pointer port, Pointer property);

    byte lilv_port_supports_event(Pointer plugin, Pointer port, Pointer eventType);

    /** Returns nodes the caller frees. */
    Pointer lilv_port_get_value(Pointer plugin, Pointer port, Pointer predicate);

    /** Each out-node the caller frees. */
    void lilv_port_get_range(Pointer plugin, Pointer port, PointerByReference def, PointerByReference min, PointerByReference max);
}
