package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;
import java.util.List;

/** Reply to {@code list_presets}. */
public record Presets(long req, List<PresetInfo> presets) implements Message {
    public Presets {
        Check.req(req);
        presets = Check.list("presets", presets, Bounds.MAX_LIST_ENTRIES);
    }

    @Override
    public MessageType type() {
        return MessageType.PRESETS;
    }
}
