package dev.segue.engine.server;

import dev.segue.protocol.message.JobState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultStoreTest {
    @TempDir
    Path dir;

    private static void finished(ResultStore store, String job, int frames) throws Exception {
        store.create(job, 1, JobRequest.fromMap(Map.of("prior", "demo")));
        store.markRunning(job);
        store.saveTake(job, 0, new float[frames], 48000, 1, 1);
        store.saveState(job, 0, new byte[] {1, 2, 3});
        store.complete(job);
    }

    @Test
    void retentionDeletesOldAndOversizedTakesButNeverRunningOrRecentlyFetchedOnes() throws Exception {
        ResultStore store = ResultStore.open(dir);
        finished(store, "old", 1000);
        finished(store, "fetched", 1000);
        store.markFetched("fetched");
        store.create("running", 1, JobRequest.fromMap(Map.of()));
        store.markRunning("running");
        long day = 24L * 3600 * 1000;
        long now = System.currentTimeMillis();
        // 31 days on: the age limit takes "old"; "fetched" was fetched 31 days ago too, past its 7-day shield.
        assertEquals(java.util.List.of(), store.expire(Retention.of(30, 0, 7), now));
        assertEquals(java.util.Set.of("old", "fetched"), java.util.Set.copyOf(store.expire(Retention.of(30, 0, 7), now + 31 * day)));
        JobRecord old = store.find("old").orElseThrow();
        assertTrue(old.expired());
        assertEquals(0, old.takes().size());
        assertFalse(Files.exists(dir.resolve("jobs/old/take-01.f32")));
        assertFalse(Files.exists(dir.resolve("jobs/old/state-01.bin")));
        assertEquals(JobState.RUNNING, store.find("running").orElseThrow().state(), "a running job is never touched");
        assertTrue(ResultStore.open(dir).find("old").orElseThrow().expired(), "expiry survives a restart");
        assertTrue(JobListing.newestFirst(store.list(), 10).stream()
                .anyMatch(j -> j.job().equals("old") && j.label().startsWith("expired") && j.takesDone() == 0));

        // By size: 3 jobs of 4000 bytes of take each, a limit of 0.009 MB keeps the newest two.
        Path second = dir.resolve("second");
        ResultStore sized = ResultStore.open(second);
        for (String job : java.util.List.of("a", "b", "c")) {
            finished(sized, job, 1000);
            Thread.sleep(5); // distinct update times: oldest first
        }
        sized.markFetched("a"); // shielded: the oldest unfetched goes instead
        assertEquals(java.util.List.of("b"), sized.expire(new Retention(0, 9_000, day), System.currentTimeMillis()));
    }

    @Test
    void theRunningTotalOfBytesOnDiskFollowsWritesRewritesExpiryAndARestart() throws Exception {
        ResultStore store = ResultStore.open(dir);
        assertEquals(0, store.dataBytes());
        finished(store, "a", 1000); // 4000 bytes of take, 3 of state
        finished(store, "b", 500);
        assertEquals(4003 + 2003, store.dataBytes());
        store.saveState("b", 0, new byte[10]); // a rewrite replaces the old file's bytes
        assertEquals(4003 + 2010, store.dataBytes());
        assertEquals(2, store.jobCount());
        assertEquals(2, store.endedSinceOpen()[0]);
        assertEquals(java.util.List.of("a"), store.expire(new Retention(0, 3_000, 0), System.currentTimeMillis()));
        assertEquals(2010, store.dataBytes(), "the expired job's takes are subtracted");
        assertEquals(2010, ResultStore.open(dir).dataBytes(), "counted again from the folder at open");
        assertEquals(2, ResultStore.open(dir).jobCount());
        assertEquals(0, ResultStore.open(dir).endedSinceOpen()[0], "counts are since the store was opened");
    }

    @Test
    void finishedTakesSurviveARestart() throws Exception {
        ResultStore store = ResultStore.open(dir);
        JobRequest request = new JobRequest("demo", "length_bars=8.0", "42", "sketch", 48000, 96000L, 48000L, 3.0, 120.0,
                "4/4", null);
        store.create("job-1", 2, request);
        store.markRunning("job-1");
        float[] a = {0.1f, -0.2f, 0.3f, -0.4f};
        float[] b = {1f, 0.5f};
        store.saveTake("job-1", 1, b, 48000, 1, 7);
        store.saveTake("job-1", 0, a, 48000, 2, 6);
        store.complete("job-1");

        ResultStore reopened = ResultStore.open(dir);
        JobRecord job = reopened.find("job-1").orElseThrow();
        assertEquals(JobState.DONE, job.state());
        assertEquals(request, job.request());
        assertEquals(2, job.takes().size());
        assertEquals(0, job.takes().get(0).candidate());
        assertEquals(2, job.takes().get(0).frames());
        assertArrayEquals(a, reopened.readTake("job-1", 0));
        assertArrayEquals(b, reopened.readTake("job-1", 1));
    }

    @Test
    void jobsInFlightAtACrashAreReportedFailedNotDropped() throws Exception {
        ResultStore store = ResultStore.open(dir);
        store.create("queued", 1, JobRequest.fromMap(Map.of()));
        store.create("running", 2, JobRequest.fromMap(Map.of()));
        store.markRunning("running");
        store.saveTake("running", 0, new float[] {0.5f}, 44100, 1, 1);
        // No complete(): the daemon "dies" here.
        ResultStore reopened = ResultStore.open(dir);
        for (String id : new String[] {"queued", "running"}) {
            JobRecord job = reopened.find(id).orElseThrow();
            assertEquals(JobState.FAILED, job.state(), id);
            assertTrue(job.error().contains("daemon stopped"), job.error());
        }
        // The take that was finished before the crash is still there to fetch.
        assertArrayEquals(new float[] {0.5f}, reopened.readTake("running", 0));
        // And the recovery itself was persisted.
        assertEquals(JobState.FAILED, ResultStore.open(dir).find("queued").orElseThrow().state());
    }

    @Test
    void leftoversOfAnInterruptedWriteAreIgnored() throws Exception {
        ResultStore store = ResultStore.open(dir);
        store.create("ok", 1, JobRequest.fromMap(Map.of()));
        store.saveTake("ok", 0, new float[] {1f, 2f}, 44100, 1, 3);
        store.complete("ok");
        Path jobs = dir.resolve("jobs");
        Files.writeString(jobs.resolve("ok").resolve("job.json.tmp"), "{ half a rec");
        Files.createDirectories(jobs.resolve("no-record-yet"));
        Files.createDirectories(jobs.resolve("corrupt"));
        Files.writeString(jobs.resolve("corrupt").resolve("job.json"), "not json");
        Files.createDirectories(jobs.resolve("wrong-name"));
        Files.copy(jobs.resolve("ok").resolve("job.json"), jobs.resolve("wrong-name").resolve("job.json"));

        ResultStore reopened = ResultStore.open(dir);
        assertEquals(1, reopened.list().size());
        assertEquals(JobState.DONE, reopened.find("ok").orElseThrow().state());
        assertFalse(reopened.find("corrupt").isPresent());
    }

    @Test
    void badInputIsRefusedWithAMessage() throws Exception {
        ResultStore store = ResultStore.open(dir);
        for (String bad : new String[] {"", "../escape", "a/b", "x".repeat(65), "sp ace", null}) {
            assertThrows(IllegalArgumentException.class, () -> store.create(bad, 1, JobRequest.fromMap(Map.of())), String.valueOf(bad));
        }
        assertThrows(IllegalArgumentException.class, () -> store.create("zero", 0, JobRequest.fromMap(Map.of())));
        assertThrows(IllegalArgumentException.class, () -> store.create("many", 17, JobRequest.fromMap(Map.of())));
        store.create("j", 1, JobRequest.fromMap(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> store.create("j", 1, JobRequest.fromMap(Map.of())));
        assertThrows(IllegalArgumentException.class, () -> store.saveTake("j", 1, new float[1], 44100, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> store.saveTake("j", 0, new float[3], 44100, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> store.markRunning("nope"));
        store.cancel("j");
        assertThrows(IllegalStateException.class, () -> store.complete("j"));
        assertThrows(IllegalStateException.class, () -> store.saveTake("j", 0, new float[1], 44100, 1, 0));
    }

    @Test
    void aTakeTruncatedOnDiskIsReportedNotMisread() throws Exception {
        ResultStore store = ResultStore.open(dir);
        store.create("t", 1, JobRequest.fromMap(Map.of()));
        store.saveTake("t", 0, new float[] {1f, 2f, 3f}, 44100, 1, 0);
        store.complete("t");
        Files.write(dir.resolve("jobs/t/take-01.f32"), new byte[5]);
        assertThrows(java.io.IOException.class, () -> ResultStore.open(dir).readTake("t", 0));
    }
}
