package dev.segue.bridge.host;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the host needs to load and wire one LV2 plugin, copied out of lilv so no lilv object outlives
 * the discovery.
 *
 * @param bundleDir the bundle folder, given to {@code instantiate} with a trailing slash as LV2 asks
 * @param library the shared object that exports {@code lv2_descriptor}
 * @param requiredFeatures feature URIs the plugin refuses to run without
 */
public record PluginInfo(String uri, String name, Path bundleDir, Path library, List<PortInfo> ports,
        List<String> requiredFeatures) {

    public PluginInfo {
        ports = List.copyOf(ports);
        requiredFeatures = List.copyOf(requiredFeatures);
    }

    public Optional<PortInfo> port(String symbol) {
        return ports.stream().filter(p -> p.symbol().equals(symbol)).findFirst();
    }

    public List<PortInfo> ports(PortInfo.Kind kind, boolean input) {
        return ports.stream().filter(p -> p.kind() == kind && p.input() == input).toList();
    }
}
