package dev.segue.bridge.host;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds an LV2 plugin and reads its description through Debian's lilv, so the Turtle in the bundle
 * is parsed by the library every LV2 host uses rather than by hand. Each lookup uses a fresh lilv
 * world and frees it before returning; lilv is not thread-safe, so lookups are serialised.
 */
public final class PluginCatalog {
    private PluginCatalog() {}

    private static final Object LOCK = new Object();
    private static Lilv lilv;

    /**
     * @param pathOrUri a bundle folder (or a file inside it) holding exactly one plugin, or a plugin
     *     URI found on the LV2 path ({@code LV2_PATH}, else ~/.lv2, /usr/lib/lv2, /usr/local/lib/lv2)
     */
    public static PluginInfo find(String pathOrUri) throws IOException {
        if (pathOrUri == null || pathOrUri.isBlank() || pathOrUri.length() > 4096) {
            throw new IllegalArgumentException("a plugin path or URI is required (at most 4096 characters)");
        }
        Path asPath = looksLikePath(pathOrUri) ? Path.of(pathOrUri) : null;
        synchronized (LOCK) {
            Lilv l = lilv();
            Pointer world = l.lilv_world_new();
            if (world == null) {
                throw new IOException("lilv could not create a world");
            }
            try {
                Pointer plugin = asPath != null ? fromBundle(l, world, asPath) : fromUri(l, world, pathOrUri);
                return describe(l, world, plugin);
            } finally {
                l.lilv_world_free(world);
            }
        }
    }

    private static boolean looksLikePath(String s) {
        return s.startsWith("/") || s.startsWith("./") || s.startsWith("../") || s.endsWith(".lv2") || s.endsWith(".lv2/")
                || Files.exists(Path.of(s));
    }

    private static Lilv lilv() {
        if (lilv == null) {
            lilv = Lilv.load();
        }
        return lilv;
    }

    private static Pointer fromBundle(Lilv l, Pointer world, Path given) throws IOException {
        Path dir = Files.isDirectory(given) ? given : given.toAbsolutePath().getParent();
        if (dir == null || !Files.isRegularFile(dir.resolve("manifest.ttl"))) {
            throw new IOException(given + ": not an LV2 bundle (no manifest.ttl)");
        }
        dir = dir.toRealPath();
        Pointer bundleUri = l.lilv_new_file_uri(world, null, dir + "/");
        try {
            l.lilv_world_load_bundle(world, bundleUri);
        } finally {
            l.lilv_node_free(bundleUri);
        }
        // Only this bundle is loaded in this world, so every plugin in it came from the bundle.
        List<Pointer> found = new ArrayList<>();
        Pointer plugins = l.lilv_world_get_all_plugins(world);
        for (Pointer i = l.lilv_plugins_begin(plugins); l.lilv_plugins_is_end(plugins, i) == 0; i = l.lilv_plugins_next(plugins, i)) {
            found.add(l.lilv_plugins_get(plugins, i));
        }
        if (found.size() != 1) {
            List<String> uris = found.stream().map(p -> l.lilv_node_as_uri(l.lilv_plugin_get_uri(p))).toList();
            throw new IOException(dir + ": " + (found.isEmpty() ? "no plugin in this bundle"
                    : found.size() + " plugins in this bundle, name one by URI: " + uris));
        }
        return found.get(0);
    }

    private static Pointer fromUri(Lilv l, Pointer world, String uri) throws IOException {
        l.lilv_world_load_all(world);
        Pointer node = l.lilv_new_uri(world, uri);
        try {
            Pointer plugin = node == null ? null : l.lilv_plugins_get_by_uri(l.lilv_world_get_all_plugins(world), node);
            if (plugin == null) {
                throw new IOException("no LV2 plugin with URI " + uri + " on the LV2 path (see `lv2ls`, or give the bundle folder)");
            }
            return plugin;
        } finally {
            if (node != null) {
                l.lilv_node_free(node);
            }
        }
    }

    private static PluginInfo describe(Lilv l, Pointer world, Pointer plugin) throws IOException {
        String uri = l.lilv_node_as_uri(l.lilv_plugin_get_uri(plugin));
        Pointer nameNode = l.lilv_plugin_get_name(plugin);
        String name = nameNode == null ? uri : l.lilv_node_as_string(nameNode);
        if (nameNode != null) {
            l.lilv_node_free(nameNode);
        }
        Pointer libraryNode = l.lilv_plugin_get_library_uri(plugin);
        if (libraryNode == null) {
            throw new IOException(uri + ": the bundle names no binary (lv2:binary)");
        }
        Path library = Path.of(filePath(l, l.lilv_node_as_uri(libraryNode)));
        Path bundle = Path.of(filePath(l, l.lilv_node_as_uri(l.lilv_plugin_get_bundle_uri(plugin))));

        List<String> required = new ArrayList<>();
        Pointer features = l.lilv_plugin_get_required_features(plugin);
        if (features != null) {
            for (Pointer i = l.lilv_nodes_begin(features); l.lilv_nodes_is_end(features, i) == 0; i = l.lilv_nodes_next(features, i)) {
                required.add(l.lilv_node_as_uri(l.lilv_nodes_get(features, i)));
            }
            l.lilv_nodes_free(features);
        }
        try (PortReader reader = new PortReader(l, world, plugin)) {
            int n = l.lilv_plugin_get_num_ports(plugin);
            List<PortInfo> ports = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ports.add(reader.read(i));
            }
            return new PluginInfo(uri, name, bundle, library, ports, required);
        }
    }

    private static String filePath(Lilv l, String fileUri) throws IOException {
        Pointer parsed = l.lilv_file_uri_parse(fileUri, null);
        if (parsed == null) {
            throw new IOException(fileUri + ": not a local file URI");
        }
        try {
            return parsed.getString(0, "UTF-8");
        } finally {
            l.lilv_free(parsed);
        }
    }

    /** Holds the class and property nodes used to classify ports, freed together. */
    private static final class PortReader implements AutoCloseable {
        private final Lilv l;
        private final Pointer plugin;
        private final List<Pointer> owned = new ArrayList<>();
        private final Pointer audio, control, cv, atom, input, output, optional, timePosition, minimumSize, designation;

        PortReader(Lilv l, Pointer world, Pointer plugin) {
            this.l = l;
            this.plugin = plugin;
            audio = node(world, Lv2Uris.AUDIO_PORT);
            control = node(world, Lv2Uris.CONTROL_PORT);
            cv = node(world, Lv2Uris.CV_PORT);
            atom = node(world, Lv2Uris.ATOM_PORT);
            input = node(world, Lv2Uris.INPUT_PORT);
            output = node(world, Lv2Uris.OUTPUT_PORT);
            optional = node(world, Lv2Uris.CONNECTION_OPTIONAL);
            timePosition = node(world, Lv2Uris.TIME_POSITION);
            minimumSize = node(world, Lv2Uris.RSZ_MINIMUM_SIZE);
            designation = node(world, Lv2Uris.DESIGNATION);
        }

        private Pointer node(Pointer world, String uri) {
            Pointer p = l.lilv_new_uri(world, uri);
            owned.add(p);
            return p;
        }

        PortInfo read(int index) throws IOException {
            Pointer port = l.lilv_plugin_get_port_by_index(plugin, index);
            String symbol = l.lilv_node_as_string(l.lilv_port_get_symbol(plugin, port));
            Pointer nameNode = l.lilv_port_get_name(plugin, port);
            String name = nameNode == null ? symbol : l.lilv_node_as_string(nameNode);
            if (nameNode != null) {
                l.lilv_node_free(nameNode);
            }
            boolean isInput = is(port, input);
            if (!isInput && !is(port, output)) {
                throw new IOException("port " + index + " (" + symbol + ") is neither an input nor an output");
            }
            PortInfo.Kind kind = is(port, audio) ? PortInfo.Kind.AUDIO
                    : is(port, control) ? PortInfo.Kind.CONTROL
                    : is(port, atom) ? PortInfo.Kind.ATOM
                    : is(port, cv) ? PortInfo.Kind.CV
                    : PortInfo.Kind.OTHER;
            float[] range = range(port);
            boolean time = kind == PortInfo.Kind.ATOM && isInput && l.lilv_port_supports_event(plugin, port, timePosition) != 0;
            int minBytes = kind == PortInfo.Kind.ATOM ? intValue(port, minimumSize) : 0;
            boolean freeWheeling = kind == PortInfo.Kind.CONTROL && isInput && hasDesignation(port, Lv2Uris.FREE_WHEELING);
            return new PortInfo(index, symbol, name, kind, isInput, range[0], range[1], range[2], time, minBytes,
                    l.lilv_port_has_property(plugin, port, optional) != 0, freeWheeling);
        }

        private boolean is(Pointer port, Pointer portClass) {
            return l.lilv_port_is_a(plugin, port, portClass) != 0;
        }

        private float[] range(Pointer port) {
            PointerByReference def = new PointerByReference(), min = new PointerByReference(), max = new PointerByReference();
            l.lilv_port_get_range(plugin, port, def, min, max);
            return new float[] {number(def.getValue()), number(min.getValue()), number(max.getValue())};
        }

        /** A numeric literal as float, NaN if absent or not a number; frees the node. */
        private float number(Pointer node) {
            if (node == null) {
                return Float.NaN;
            }
            try {
                if (l.lilv_node_is_float(node) != 0 || l.lilv_node_is_int(node) != 0) {
                    return l.lilv_node_as_float(node);
                }
                return Float.NaN;
            } finally {
                l.lilv_node_free(node);
            }
        }

        private int intValue(Pointer port, Pointer predicate) {
            Pointer nodes = l.lilv_port_get_value(plugin, port, predicate);
            if (nodes == null) {
                return 0;
            }
            try {
                Pointer i = l.lilv_nodes_begin(nodes);
                if (l.lilv_nodes_is_end(nodes, i) != 0) {
                    return 0;
                }
                Pointer n = l.lilv_nodes_get(nodes, i);
                return l.lilv_node_is_int(n) != 0 ? Math.max(0, l.lilv_node_as_int(n)) : 0;
            } finally {
                l.lilv_nodes_free(nodes);
            }
        }

        private boolean hasDesignation(Pointer port, String uri) {
            Pointer nodes = l.lilv_port_get_value(plugin, port, designation);
            if (nodes == null) {
                return false;
            }
            try {
                for (Pointer i = l.lilv_nodes_begin(nodes); l.lilv_nodes_is_end(nodes, i) == 0; i = l.lilv_nodes_next(nodes, i)) {
                    if (uri.equals(l.lilv_node_as_uri(l.lilv_nodes_get(nodes, i)))) {
                        return true;
                    }
                }
                return false;
            } finally {
                l.lilv_nodes_free(nodes);
            }
        }

        @Override
        public void close() {
            owned.forEach(l::lilv_node_free);
        }
    }
}
