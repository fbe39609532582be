package dev.segue.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FairQueueTest {
    @Test
    void aClientWithOneJobWaitsForAtMostTheRunningJob() throws Exception {
        FairQueue<String> q = new FairQueue<>(8);
        for (int i = 1; i <= 5; i++) {
            q.offer("A", "a" + i);
        }
        assertEquals("a1", q.poll(0)); // running now
        q.offer("B", "b1");
        assertEquals("b1", q.poll(0), "B's only job goes before A's second");
        assertEquals("a2", q.poll(0));
        q.offer("C", "c1");
        q.offer("B", "b2");
        assertEquals("c1", q.poll(0), "a client never served goes first");
        assertEquals("b2", q.poll(0), "then the one served longest ago");
        assertEquals("a3", q.poll(0));
        assertEquals("a4", q.poll(0));
        assertEquals("a5", q.poll(0));
        assertNull(q.poll(0));
    }

    @Test
    void clientsTakeTurnsAndEachHoldsAtMostItsShare() throws Exception {
        FairQueue<String> q = new FairQueue<>(2);
        assertTrue(q.offer("A", "a1"));
        assertTrue(q.offer("A", "a2"));
        assertFalse(q.hasRoom("A"));
        assertFalse(q.offer("A", "a3"));
        assertTrue(q.offer("B", "b1"));
        assertTrue(q.offer("B", "b2"));
        assertEquals("a1", q.poll(0));
        assertEquals("b1", q.poll(0));
        assertEquals("a2", q.poll(0));
        assertEquals("b2", q.poll(0));
    }

    @Test
    void aRemovedJobIsNeverServed() throws Exception {
        FairQueue<String> q = new FairQueue<>(4);
        q.offer("A", "a1");
        q.offer("A", "a2");
        assertTrue(q.remove("a1"));
        assertFalse(q.remove("a1"));
        assertEquals("a2", q.poll(0));
        assertNull(q.poll(0));
    }
}
