package dev.segue.engine.server;

/** A job's life: queued and running are in flight; the other three are final and never change again. */
public enum JobState {
    QUEUED, RUNNING, DONE, FAILED, CANCELLED;

    public boolean isFinal() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }
}
