package dev.segue.engine.server;

/**
 * What the result store keeps of finished jobs' takes: takes older than {@code maxAgeMillis} are deleted, and the
 * oldest takes go while all of them together hold more than {@code maxBytes}; a job fetched within
 * {@code keepFetchedMillis} keeps its takes whatever its age, and a queued or running job is never touched. 0 means
 * no limit. An expired job keeps its record, so {@code list_jobs} shows it as expired and a fetch says why its takes
 * are gone.
 */
public record Retention(long maxAgeMillis, long maxBytes, long keepFetchedMillis) {
    public static final Retention KEEP_ALL = new Retention(0, 0, 0);
    private static final long DAY = 24L * 3600 * 1000;

    public Retention {
        if (maxAgeMillis < 0 || maxBytes < 0 || keepFetchedMillis < 0) {
            throw new IllegalArgumentException("retention limits must be 0 (none) or positive");
        }
    }

    /** From the daemon's flags: days and megabytes. */
    public static Retention of(double maxAgeDays, long maxMegabytes, double keepFetchedDays) {
        return new Retention((long) (maxAgeDays * DAY), maxMegabytes * 1_000_000L, (long) (keepFetchedDays * DAY));
    }
}
