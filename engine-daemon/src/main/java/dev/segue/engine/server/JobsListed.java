package dev.segue.engine.server;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.message.JobInfo;
import java.util.List;

/**
 * The answer to {@code list_jobs}, kept between requests and taken again from the store only after a record has
 * changed. Built from scratch on the socket thread (a sort, a label and the wire's checks for every entry) it cost 1-3
 * ms under load, and a request that long is the one a busy core preempts or the real-time budget cuts off. So the
 * store builds each entry as its record changes, on the thread that changes it, and this class keeps even the walk
 * over the ready entries from running on every request.
 * Socket thread only.
 */
final class JobsListed {
    private final ResultStore store;
    private long takenAt = -1;
    private List<JobInfo> listed = List.of();

    JobsListed(ResultStore store) {
        this.store = store;
    }

    List<JobInfo> current() {
        long changes = store.changes(); // before the entries: a change after this read is taken next time
        if (changes != takenAt) {
            listed = store.newest(Bounds.MAX_LIST_ENTRIES);
            takenAt = changes;
        }
        return listed;
    }
}
