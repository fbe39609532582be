package dev.segue.bridge.app.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.bridge.client.JobResult;
import dev.segue.bridge.client.Take;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TakeCacheTest {
    @TempDir
    Path dir;

    private static JobResult job(String id, int frames) {
        float[] s = new float[frames];
        for (int i = 0; i < frames; i++) {
            s[i] = (i % 100) / 100f - 0.5f;
        }
        return new JobResult(id, List.of(new Take(0, 48_000, 1, 96_000, 3, Map.of(), s)));
    }

    @Test
    void aCachedJobIsReadBackFromDiskWithItsPlacement() throws Exception {
        new TakeCache(dir, 1 << 20, 8).put(job("a-1", 4800));
        TakeCache fresh = new TakeCache(dir, 1 << 20, 8); // as after a restart of the app
        assertNull(fresh.inMemory("a-1"));
        List<CachedTake> back = fresh.load("a-1");
        assertNotNull(back);
        Take t = back.get(0).take();
        assertEquals(96_000, t.startSample(), "the seam survives the cache");
        assertEquals(4800, t.frames());
        assertEquals(3, t.seed());
        assertEquals(-0.5f, t.samples()[0], 1e-6, "24-bit copy of the samples");
        assertNotNull(fresh.inMemory("a-1"), "kept in memory once read");
    }

    @Test
    void memoryIsBoundedAndDiskKeepsTheNewestJobs() throws Exception {
        TakeCache cache = new TakeCache(dir, 10_000, 2);
        cache.put(job("j1", 6000));
        cache.put(job("j2", 6000)); // over budget: j1 leaves memory
        assertNull(cache.inMemory("j1"));
        assertNotNull(cache.inMemory("j2"));
        assertNotNull(cache.load("j1"), "j1 still on disk");
        Files.setLastModifiedTime(dir.resolve("jobs/j1.properties"), java.nio.file.attribute.FileTime.fromMillis(1000));
        cache.put(job("j3", 10));
        assertFalse(Files.exists(dir.resolve("jobs/j1.properties")), "the oldest job left the disk");
        assertFalse(Files.exists(dir.resolve("stems/j1_take-01.wav")));
        assertTrue(Files.exists(dir.resolve("stems/j3_take-01.wav")));
    }

    @Test
    void aDamagedIndexIsNotACacheHit() throws Exception {
        TakeCache cache = new TakeCache(dir, 1 << 20, 8);
        cache.put(job("bad", 100));
        Files.writeString(dir.resolve("jobs/bad.properties"), "candidates=1\ntake.0.sample_rate=48000\n");
        assertNull(new TakeCache(dir, 1 << 20, 8).load("bad"));
        assertNull(new TakeCache(dir, 1 << 20, 8).load("../escape"), "ids that are not job ids are never paths");
    }
}
