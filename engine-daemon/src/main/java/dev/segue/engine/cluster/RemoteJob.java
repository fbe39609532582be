package dev.segue.engine.cluster;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A job some worker runs, as the gateway follows it: the clients attached to it, each with the req its
 * messages carry (the submitter's, and each fetch's while it runs; a client fetching again replaces only
 * its own attachment), as a lone daemon keeps them.
 */
final class RemoteJob {
    /** Attachments kept per job; past this the second-oldest is dropped (the oldest is most often the submitter). */
    static final int MAX_SUBSCRIBERS = 16;

    record Subscriber(byte[] client, long req) {}

    final String id;
    /** The submitting client, counted against its bound on outstanding jobs; null for a job re-attached by fetch. */
    final String owner;
    final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private boolean ended;

    RemoteJob(String id, String owner, byte[] client, long req) {
        this.id = id;
        this.owner = owner;
        subscribers.add(new Subscriber(client, req));
    }

    /** Adds (or renews) a client's attachment; false once the job has ended. */
    synchronized boolean attach(byte[] client, long req) {
        if (ended) {
            return false;
        }
        subscribers.removeIf(s -> Arrays.equals(s.client(), client));
        subscribers.add(new Subscriber(client, req));
        while (subscribers.size() > MAX_SUBSCRIBERS) {
            subscribers.remove(1);
        }
        return true;
    }

    /** Closes the job to attachments; the clients that get its last messages, or null if it had ended already. */
    synchronized List<Subscriber> end() {
        if (ended) {
            return null;
        }
        ended = true;
        return List.copyOf(subscribers);
    }
}
