package dev.segue.protocol.message;

import dev.segue.protocol.Check;

/**
 * Reply to {@code get_stats}: what the daemon knows of itself at the moment it answers, in the spirit of a
 * metrics endpoint. Every field is an int in 0..2^63-1; counts are since the daemon started, except the data
 * folder's, which are of what is on disk now.
 *
 * @param uptimeMs        milliseconds since the daemon started
 * @param rssBytes        the process's resident set (0 where the system does not say)
 * @param heapUsedBytes   the Java heap in use
 * @param directBytes     native memory the JVM's buffer pools hold (direct and mapped buffers)
 * @param dataBytes       bytes of takes and kept engine state in the data folder
 * @param dataJobs        job records in the data folder
 * @param queued          jobs waiting to run
 * @param running         jobs running (0 or 1 in a daemon that runs one at a time)
 * @param jobsDone        jobs that finished with takes
 * @param jobsFailed      jobs that ended in an error
 * @param jobsCancelled   jobs cancelled
 * @param badMessages     messages refused as malformed or not taken
 * @param skippedProgress progress and preview messages skipped for clients that were not reading
 * @param unanswered      requests dropped unanswered because their client read nothing (PROTOCOL.md §4)
 */
public record Stats(long req, long uptimeMs, long rssBytes, long heapUsedBytes, long directBytes, long dataBytes,
                    long dataJobs, long queued, long running, long jobsDone, long jobsFailed, long jobsCancelled,
                    long badMessages, long skippedProgress, long unanswered) implements Message {
    public Stats {
        Check.req(req);
        String[] names = KEYS;
        long[] values = {uptimeMs, rssBytes, heapUsedBytes, directBytes, dataBytes, dataJobs, queued, running,
                jobsDone, jobsFailed, jobsCancelled, badMessages, skippedProgress, unanswered};
        for (int i = 0; i < values.length; i++) {
            Check.range(names[i], values[i], 0, Long.MAX_VALUE);
        }
    }

    /** The wire keys, in canonical order. */
    public static final String[] KEYS = {"uptime_ms", "rss_bytes", "heap_used_bytes", "direct_bytes", "data_bytes",
            "data_jobs", "queued", "running", "jobs_done", "jobs_failed", "jobs_cancelled", "bad_messages",
            "skipped_progress", "unanswered"};

    /** The values in the order of {@link #KEYS}. */
    public long[] values() {
        return new long[] {uptimeMs, rssBytes, heapUsedBytes, directBytes, dataBytes, dataJobs, queued, running,
                jobsDone, jobsFailed, jobsCancelled, badMessages, skippedProgress, unanswered};
    }

    /** Builds one from values in the order of {@link #KEYS}. */
    public static Stats of(long req, long[] v) {
        if (v.length != KEYS.length) {
            throw new IllegalArgumentException("stats has " + KEYS.length + " values, got " + v.length);
        }
        return new Stats(req, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]);
    }

    @Override
    public MessageType type() {
        return MessageType.STATS;
    }
}
