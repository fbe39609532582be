package dev.segue.engine.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Load on first use, unload the least recently used idle slot to make room, refuse what can never fit. */
class ResidentSetTest {
    /** A stand-in model that records its loads and closes. */
    private static final class Model implements AutoCloseable {
        final String name;
        final List<String> log;
        boolean closed;

        Model(String name, List<String> log) {
            this.name = name;
            this.log = log;
            log.add("load " + name);
        }

        @Override
        public void close() {
            closed = true;
            log.add("unload " + name);
        }
    }

    @Test
    void leastRecentlyUsedIdleSlotIsUnloadedAndReloadsOnItsNextUse() throws Exception {
        List<String> log = new ArrayList<>();
        ResidentSet<Model> set = new ResidentSet<>(250);
        var a = set.add("a", 100, () -> new Model("a", log));
        var b = set.add("b", 100, () -> new Model("b", log));
        var c = set.add("c", 100, () -> new Model("c", log));
        List<String> told = new ArrayList<>();
        try (var l = set.acquire(a, (n, bytes) -> told.add(n + " " + bytes))) {
            assertEquals("a", l.value().name);
        }
        try (var l = set.acquire(b, (n, bytes) -> told.add(n + " " + bytes))) {
            assertEquals("b", l.value().name);
        }
        try (var l = set.acquire(a, (n, bytes) -> told.add(n))) { // already in memory: no load, a is now the newest
            assertEquals("a", l.value().name);
        }
        assertEquals(List.of("a 100", "b 100"), told);
        try (var l = set.acquire(c, null)) { // 300 > 250: b, the least recently used, goes
            assertEquals("c", l.value().name);
        }
        assertEquals(List.of("load a", "load b", "unload b", "load c"), log);
        assertTrue(a.loaded());
        assertFalse(b.loaded());
        assertTrue(c.loaded());
        assertEquals(200, set.used());
        try (var l = set.acquire(b, null)) { // back again: a is now the oldest idle one
            assertEquals("b", l.value().name);
        }
        assertEquals(List.of("load a", "load b", "unload b", "load c", "unload a", "load b"), log);
        assertFalse(a.loaded());
    }

    @Test
    void aSlotInUseIsNeverUnloaded() throws Exception {
        List<String> log = new ArrayList<>();
        ResidentSet<Model> set = new ResidentSet<>(150);
        var a = set.add("a", 100, () -> new Model("a", log));
        var b = set.add("b", 100, () -> new Model("b", log));
        var held = set.acquire(a, null);
        Thread other = new Thread(() -> {
            try (var l = set.acquire(b, null)) {
                log.add("used b");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.start();
        other.join(1500);
        assertTrue(other.isAlive(), "b waits while a is in use");
        assertEquals(List.of("load a"), log);
        held.close();
        other.join(10_000);
        assertEquals(List.of("load a", "unload a", "load b", "used b"), log);
    }

    @Test
    void aSlotLargerThanTheBudgetIsRefusedNamingBothSizes() {
        ResidentSet<Model> set = new ResidentSet<>(2_000_000_000L);
        var big = set.add("jukebox-5b", 10_500_000_000L, () -> new Model("big", new ArrayList<>()));
        assertFalse(big.fits());
        ResidentSet.TooLarge e = assertThrows(ResidentSet.TooLarge.class, () -> set.acquire(big, null));
        assertTrue(e.getMessage().contains("'jukebox-5b' needs 10.50 GB"), e.getMessage());
        assertTrue(e.getMessage().contains("memory budget is 2.00 GB"), e.getMessage());
        assertFalse(big.loaded());
        assertNull(set.refusal(set.add("small", 1, () -> null)));
    }

    @Test
    void aFailedLoadLeavesTheSlotUnloadedAndTheRoomFree() throws Exception {
        ResidentSet<Model> set = new ResidentSet<>(100);
        var bad = set.add("bad", 80, () -> {
            throw new IllegalStateException("broken checkpoint");
        });
        assertThrows(IllegalStateException.class, () -> set.acquire(bad, null));
        assertFalse(bad.loaded());
        assertEquals(0, set.used());
        var good = set.add("good", 90, () -> new Model("good", new ArrayList<>()));
        try (var l = set.acquire(good, null)) {
            assertEquals("good", l.value().name);
        }
    }

    /**
     * A use's working memory (a job's key/value cache) counts against the budget while the use lasts: idle slots are
     * unloaded to make room for it even when its own slot is loaded, it is given back when the use ends, and a use
     * whose slot and working memory together exceed the budget is refused, naming both and the budget.
     */
    @Test
    void workingMemoryCountsWhileAUseLastsAndTooMuchIsRefused() throws Exception {
        List<String> log = new ArrayList<>();
        ResidentSet<Model> set = new ResidentSet<>(250);
        var a = set.add("a", 100, () -> new Model("a", log));
        var b = set.add("b", 100, () -> new Model("b", log));
        try (var l = set.acquire(b, null)) {
            assertEquals("b", l.value().name);
        }
        try (var l = set.acquire(a, 40, "the key/value cache of 2 takes", null)) { // 100 + 100 + 40 fits
            assertEquals(240, set.used());
        }
        assertEquals(200, set.used(), "the working memory is given back");
        try (var l = set.acquire(a, 120, "the key/value cache of 6 takes", null)) { // 100 + 120: b, idle, goes
            assertEquals(220, set.used());
            assertFalse(b.loaded());
            assertTrue(a.loaded());
        }
        assertEquals(List.of("load b", "load a", "unload b"), log);
        assertEquals(100, set.used());
        ResidentSet.TooLarge refused = assertThrows(ResidentSet.TooLarge.class,
                () -> set.acquire(a, 151, "the key/value cache of 8 takes", null));
        assertTrue(refused.getMessage().contains("0.00 GB for the key/value cache of 8 takes")
                && refused.getMessage().contains("ask for fewer takes"), refused.getMessage());
        assertNull(set.refusal(a, 150, "the key/value cache of 8 takes"));
        assertEquals(100, set.used(), "a refused use holds nothing");
        assertThrows(IllegalArgumentException.class, () -> set.acquire(a, -1, "", null));
    }
}
