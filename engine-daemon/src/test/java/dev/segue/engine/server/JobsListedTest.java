package dev.segue.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.JobState;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobsListedTest {
    @TempDir
    Path dir;

    @Test
    void theKeptListIsReusedUntilARecordChangesAndThenShowsTheChange() throws Exception {
        ResultStore store = ResultStore.open(dir);
        JobsListed listed = new JobsListed(store);
        assertEquals(List.of(), listed.current());

        store.create("job-1", 2, Map.of("prior", "demo"));
        List<JobInfo> first = listed.current();
        assertEquals(1, first.size());
        assertEquals(JobState.QUEUED, first.get(0).state());
        assertSame(first, listed.current(), "nothing changed: the kept list");

        store.markRunning("job-1");
        assertEquals(JobState.RUNNING, listed.current().get(0).state());
        store.saveTake("job-1", 0, new float[16], 48000, 1, 7);
        assertEquals(1, listed.current().get(0).takesDone());
        Thread.sleep(5); // a later creation time: newest first is by that time
        store.create("job-2", 1, Map.of("prior", "demo"));
        assertEquals(List.of("job-2", "job-1"), listed.current().stream().map(JobInfo::job).toList(), "newest first");
        store.cancel("job-2");
        assertEquals(JobState.CANCELLED, listed.current().get(0).state());
        // The kept list is the one a fresh listing builds.
        assertEquals(JobListing.newestFirst(store.list(), 128), listed.current());
    }
}
