package dev.segue.engine.server;

import dev.segue.protocol.message.JobInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every stored job's {@code list_jobs} entry, newest first. An entry is built when its record changes, on the thread
 * that changes it (the admission and job threads), so that {@code list_jobs} costs the socket thread only a walk over
 * ready entries: built there per request (a sort, a label and the wire's checks for every entry) it took 1-3 ms under
 * load, and a request that long is the one a busy core preempts or the real-time budget cuts off. Any thread may
 * read; writes come from the store, which makes them one at a time.
 */
final class JobEntries {
    private static final Logger LOG = LoggerFactory.getLogger(JobEntries.class);

    private final ConcurrentSkipListMap<JobListing.Place, JobInfo> entries = new ConcurrentSkipListMap<>();

    /** The record's entry, replacing the job's last one. */
    void put(JobRecord record) {
        try {
            entries.put(JobListing.Place.of(record), JobListing.entry(record));
        } catch (RuntimeException e) { // a hand-edited record the wire cannot carry: kept in the store, not listed
            LOG.warn("job {} is left out of list_jobs: {}", LogText.of(record.job()), LogText.of(e.getMessage()));
        }
    }

    /** The newest {@code max} entries, newest first. */
    List<JobInfo> newest(int max) {
        List<JobInfo> out = new ArrayList<>(Math.min(max, 64));
        for (JobInfo info : entries.values()) {
            if (out.size() == max) {
                break;
            }
            out.add(info);
        }
        return List.copyOf(out);
    }
}
