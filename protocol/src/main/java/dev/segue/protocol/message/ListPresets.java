package dev.segue.protocol.message;

import dev.segue.protocol.Check;

/** Asks for the generation {@code presets} the daemon knows. */
public record ListPresets(long req) implements Message {
    public ListPresets {
        Check.req(req);
    }

    @Override
    public MessageType type() {
        return MessageType.LIST_PRESETS;
    }
}
