package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;
import java.util.List;

/** Reply to {@code hello}: who the daemon is, the protocol version chosen, what it can serve. */
public record Capabilities(long req, String daemonVersion, int protocol, List<String> priors,
                           List<String> presets, Limits limits) implements Message {
    public Capabilities {
        Check.req(req);
        Check.name("daemon_version", daemonVersion);
        Check.range("protocol", protocol, 1, Bounds.MAX_WANT_VERSION);
        priors = Check.list("priors", priors, Bounds.MAX_LIST_ENTRIES);
        priors.forEach(p -> Check.name("priors[]", p));
        presets = Check.list("presets", presets, Bounds.MAX_LIST_ENTRIES);
        presets.forEach(p -> Check.name("presets[]", p));
        Check.present("limits", limits);
    }

    @Override
    public MessageType type() {
        return MessageType.CAPABILITIES;
    }
}
