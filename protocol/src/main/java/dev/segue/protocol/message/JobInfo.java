package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/**
 * One job in a {@code jobs} list: enough for a client to show it and decide to {@code fetch} it.
 * {@code label} is a human summary written by the daemon (prime, length, tempo), not parsed by clients.
 */
public record JobInfo(String job, JobState state, int candidates, int takesDone, long createdMs, String label) {
    public JobInfo {
        Check.jobId("jobs[].job", job);
        Check.present("jobs[].state", state);
        Check.range("jobs[].candidates", candidates, 1, Bounds.MAX_CANDIDATES);
        Check.range("jobs[].takes_done", takesDone, 0, candidates);
        Check.range("jobs[].created_ms", createdMs, 0, Long.MAX_VALUE);
        Check.text("jobs[].label", label, Bounds.MAX_TEXT_BYTES);
    }
}
