package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/**
 * One prior: its name, number of levels (a {@code submit}'s temperatures has one entry per level),
 * its native sample rate, and whether it takes artist/genre labels.
 */
public record PriorInfo(String name, int levels, int sampleRate, boolean labels) {
    public PriorInfo {
        Check.name("priors[].name", name);
        Check.range("priors[].levels", levels, 1, Bounds.MAX_LEVELS);
        Check.sampleRate("priors[].sample_rate", sampleRate);
    }
}
