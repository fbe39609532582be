package dev.segue.protocol.message;

import java.util.Optional;

/** Speed/quality trade-off of a job. Wire form: the lower-case name. */
public enum Quality {
    /** Top level only, coarse; for auditioning ideas fast. */
    SKETCH,
    /** All levels, reduced upsampler windows. */
    DRAFT,
    /** All levels at full settings. */
    FULL;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<Quality> fromWire(String s) {
        for (Quality q : values()) {
            if (q.wire().equals(s)) {
                return Optional.of(q);
            }
        }
        return Optional.empty();
    }
}
