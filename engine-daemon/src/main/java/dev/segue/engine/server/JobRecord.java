package dev.segue.engine.server;

import java.util.List;
import java.util.Map;

/**
 * What the result store knows of one job: its state, the request it came from (as plain strings, so the
 * store needs no model types), and the takes written so far.
 */
public record JobRecord(String job, JobState state, long createdMillis, long updatedMillis, int candidates,
                        Map<String, String> request, List<Take> takes, String error) {

    /** One finished candidate: interleaved float32 audio in {@code file}, beside the job's record. */
    public record Take(int candidate, String file, int sampleRate, int channels, long frames, long seed) {}

    JobRecord with(JobState newState, long now, List<Take> newTakes, String newError) {
        return new JobRecord(job, newState, createdMillis, now, candidates, request, newTakes, newError);
    }
}
