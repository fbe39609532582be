package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/**
 * One prior: its name, number of levels (a {@code submit}'s temperatures has one entry per level),
 * its native sample rate, and whether it takes artist/genre labels. Optional (null when the daemon does not
 * say): {@code weightBytes}, the memory the prior takes when loaded; {@code loaded}, whether it is in memory
 * now (a daemon under a memory budget loads priors on first use and unloads idle ones); {@code maxQuality}, the
 * deepest tier it serves (tiers nest: a prior that serves draft serves sketch), so a client can offer only those.
 */
public record PriorInfo(String name, int levels, int sampleRate, boolean labels, Long weightBytes, Boolean loaded,
                        Quality maxQuality) {
    public PriorInfo {
        Check.name("priors[].name", name);
        Check.range("priors[].levels", levels, 1, Bounds.MAX_LEVELS);
        Check.sampleRate("priors[].sample_rate", sampleRate);
        if (weightBytes != null) {
            Check.range("priors[].weight_bytes", weightBytes, 0, Long.MAX_VALUE);
        }
    }

    public PriorInfo(String name, int levels, int sampleRate, boolean labels) {
        this(name, levels, sampleRate, labels, null, null, null);
    }

    public PriorInfo(String name, int levels, int sampleRate, boolean labels, Long weightBytes, Boolean loaded) {
        this(name, levels, sampleRate, labels, weightBytes, loaded, null);
    }
}
