package dev.segue.protocol.message;

import java.util.Optional;

/** A job's life as the wire names it; the last three are final. */
public enum JobState {
    QUEUED("queued"), RUNNING("running"), DONE("done"), FAILED("failed"), CANCELLED("cancelled");

    private final String wire;

    JobState(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Done, failed and cancelled never change again; queued and running are in flight. */
    public boolean isFinal() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }

    public static Optional<JobState> fromWire(String s) {
        for (JobState j : values()) {
            if (j.wire.equals(s)) {
                return Optional.of(j);
            }
        }
        return Optional.empty();
    }
}
