package dev.segue.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.JobState;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobEntriesTest {
    @TempDir
    Path dir;

    @Test
    void theStoresEntriesFollowEveryChangeNewestFirstAndMatchAFreshListing() throws Exception {
        ResultStore store = ResultStore.open(dir);
        assertEquals(List.of(), store.newest(128));

        store.create("job-1", 2, JobRequest.fromMap(Map.of("prior", "demo")));
        assertEquals(JobState.QUEUED, store.newest(128).get(0).state());
        store.markRunning("job-1");
        assertEquals(JobState.RUNNING, store.newest(128).get(0).state());
        store.saveTake("job-1", 0, new float[16], 48000, 1, 7);
        assertEquals(1, store.newest(128).get(0).takesDone());
        Thread.sleep(5); // a later creation time: newest first is by that time
        store.create("job-2", 1, JobRequest.fromMap(Map.of("prior", "demo")));
        assertEquals(List.of("job-2", "job-1"), store.newest(128).stream().map(JobInfo::job).toList(), "newest first");
        assertEquals(List.of("job-2"), store.newest(1).stream().map(JobInfo::job).toList(), "bounded");
        store.cancel("job-2");
        assertEquals(JobState.CANCELLED, store.newest(128).get(0).state());
        assertEquals(JobListing.newestFirst(store.list(), 128), store.newest(128));
        // A reopened store lists the same from its records on disk (a job still running then is marked failed).
        store.complete("job-1");
        assertEquals(JobState.DONE, store.newest(128).get(1).state());
        assertEquals(store.newest(128), ResultStore.open(dir).newest(128));
    }
}
