package dev.segue.engine.server;

import dev.segue.protocol.message.JobState;
import java.util.List;

/**
 * {@code errorCode} is the wire code a failed job ended with (null for other states, and in records written
 * before codes were kept: those read as INTERNAL). {@code fetchedMillis}: the last fetch (null: never);
 * {@code expiredMillis}: when the retention policy deleted the takes (null: they are kept).
 *
 * What the result store knows of one job: its state, the request it came from ({@link JobRequest}), and the takes
 * written so far.
 */
public record JobRecord(String job, JobState state, long createdMillis, long updatedMillis, int candidates,
                        JobRequest request, List<Take> takes, String error, String errorCode,
                        Long fetchedMillis, Long expiredMillis) {

    /** One finished candidate: interleaved float32 audio in {@code file}, beside the job's record. */
    public record Take(int candidate, String file, int sampleRate, int channels, long frames, long seed) {}

    JobRecord with(JobState newState, long now, List<Take> newTakes, String newError) {
        return with(newState, now, newTakes, newError, null);
    }

    JobRecord with(JobState newState, long now, List<Take> newTakes, String newError, String newErrorCode) {
        return new JobRecord(job, newState, createdMillis, now, candidates, request, newTakes, newError, newErrorCode,
                fetchedMillis, expiredMillis);
    }

    JobRecord fetchedAt(long now) {
        return new JobRecord(job, state, createdMillis, updatedMillis, candidates, request, takes, error, errorCode, now,
                expiredMillis);
    }

    /** The record of a job whose takes the retention policy deleted: kept, with no takes, so listings say so. */
    JobRecord expiredAt(long now) {
        return new JobRecord(job, state, createdMillis, updatedMillis, candidates, request, List.of(), error, errorCode,
                fetchedMillis, now);
    }

    boolean expired() {
        return expiredMillis != null;
    }
}
