package dev.segue.engine.server;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Queued jobs, served round-robin across clients so one client's batch cannot starve another's single
 * request. Each client may hold at most {@code perClient} queued jobs.
 */
final class FairQueue<T> {
    private final Map<String, Deque<T>> byClient = new LinkedHashMap<>();
    private final int perClient;

    FairQueue(int perClient) {
        this.perClient = perClient;
    }

    synchronized boolean hasRoom(String client) {
        Deque<T> q = byClient.get(client);
        return q == null || q.size() < perClient;
    }

    synchronized boolean offer(String client, T item) {
        Deque<T> q = byClient.computeIfAbsent(client, k -> new ArrayDeque<>());
        if (q.size() >= perClient) {
            return false;
        }
        q.addLast(item);
        notifyAll();
        return true;
    }

    /** The next item, taking clients in turn; waits up to {@code millis}, null if none came. */
    synchronized T poll(long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (byClient.isEmpty()) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return null;
            }
            wait(left);
        }
        Iterator<Map.Entry<String, Deque<T>>> it = byClient.entrySet().iterator();
        Map.Entry<String, Deque<T>> first = it.next();
        T item = first.getValue().pollFirst();
        it.remove();
        if (!first.getValue().isEmpty()) {
            byClient.put(first.getKey(), first.getValue()); // to the back of the rotation
        }
        return item;
    }

    synchronized boolean remove(T item) {
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
