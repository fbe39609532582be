package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/** One generation preset: its name, the prior it targets, and a one-line description. */
public record PresetInfo(String name, String prior, String description) {
    public PresetInfo {
        Check.name("presets[].name", name);
        Check.name("presets[].prior", prior);
        Check.text("presets[].description", description, Bounds.MAX_TEXT_BYTES);
    }
}
