package dev.segue.engine.server;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Queued jobs, served round-robin across clients so one client's batch cannot starve another's single request:
 * the next job comes from the client with queued work that was served least recently, a client never served (or
 * not for a long time) first, ties by arrival. So a client that queues one job while another has five waits for
 * at most the job that is running. Each client may hold at most {@code perClient} queued jobs. The cluster's gateway
 * keeps one per prior for the jobs it has not yet handed to the workers.
 */
public final class FairQueue<T> {
    /** Clients whose last service is remembered; the longest-served-ago are forgotten past this (they go first). */
    private static final int REMEMBERED = 4096;

    private final Map<String, Deque<T>> byClient = new LinkedHashMap<>();
    /** Per client, the turn it was last served at, oldest first. */
    private final LinkedHashMap<String, Long> lastServed = new LinkedHashMap<>();
    private final int perClient;
    private long turn;

    public FairQueue(int perClient) {
        this.perClient = perClient;
    }

    int perClient() {
        return perClient;
    }

    /** Items waiting, all clients together. */
    synchronized int size() {
        int n = 0;
        for (Deque<T> q : byClient.values()) {
            n += q.size();
        }
        return n;
    }

    synchronized boolean hasRoom(String client) {
        Deque<T> q = byClient.get(client);
        return q == null || q.size() < perClient;
    }

    public synchronized boolean offer(String client, T item) {
        Deque<T> q = byClient.computeIfAbsent(client, k -> new ArrayDeque<>());
        if (q.size() >= perClient) {
            return false;
        }
        q.addLast(item);
        notifyAll();
        return true;
    }

    /** The next item, taking clients in turn; waits up to {@code millis}, null if none came. */
    public synchronized T poll(long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (byClient.isEmpty()) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return null;
            }
            wait(left);
        }
        String next = null;
        long nextServed = Long.MAX_VALUE;
        for (String client : byClient.keySet()) { // arrival order breaks ties
            long served = lastServed.getOrDefault(client, -1L);
            if (served < nextServed) {
                next = client;
                nextServed = served;
            }
        }
        Deque<T> q = byClient.get(next);
        T item = q.pollFirst();
        if (q.isEmpty()) {
            byClient.remove(next);
        }
        lastServed.remove(next);
        lastServed.put(next, turn++);
        if (lastServed.size() > REMEMBERED) {
            Iterator<String> it = lastServed.keySet().iterator();
            it.next();
            it.remove();
        }
        return item;
    }

    public synchronized boolean remove(T item) {
        for (Iterator<Map.Entry<String, Deque<T>>> it = byClient.entrySet().iterator(); it.hasNext(); ) {
            Deque<T> q = it.next().getValue();
            if (q.remove(item)) {
                if (q.isEmpty()) {
                    it.remove();
                }
                return true;
            }
        }
        return false;
    }
}
