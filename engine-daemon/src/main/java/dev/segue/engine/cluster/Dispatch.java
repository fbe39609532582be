package dev.segue.engine.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segue.engine.server.FairQueue;
import dev.segue.engine.server.JobRecord;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.StreamInfoOptions;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Round-robin across clients in the cluster, as the lone daemon's {@link FairQueue} gives it: a client with one job
 * waits for at most the running jobs, however many another client has queued. The stream is first in, first out
 * per prior, so the gateway does not publish a job as it accepts it. It holds each prior's accepted jobs in a fair
 * queue of its own and publishes to the prior's subject only while the stream holds fewer of that prior's jobs
 * (waiting or running: with work-queue retention a job leaves the stream when its worker acknowledges it) than
 * there are live workers holding the prior, taking the next job from the client served least recently. So the
 * stream never holds a job no worker is free for, and a newcomer's job is the next one published.
 *
 * <p>Nothing accepted is lost with a gateway: each held job is first written to the pending bucket (KV, file
 * storage), and deleted from it only once JetStream has the job message. At start, and every
 * {@link #ADOPT_EVERY_MILLIS} after, a gateway adopts the pending jobs it does not hold whose record is still
 * queued (a restarted gateway's own, or those of a gateway that died); before publishing it checks the entry is
 * still there, so a job another gateway published is not published again, and a publish repeated all the same (a
 * crash between publish and delete) is dropped by the stream's duplicate window, or found final or running by the
 * worker that takes it (the record's compare-and-set keeps one result). The gateway learns a worker is free from
 * {@link Names#ENDED}, and looks again every {@link #TURN_MILLIS} in case it missed one. With several gateways each
 * counts the same stream, so two publishing in the same instant may put one job more than the free workers in it.
 */
final class Dispatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatch.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long TURN_MILLIS = 100;
    /** How often a gateway looks for pending jobs no gateway holds (at start, then this often). */
    static final long ADOPT_EVERY_MILLIS = 10_000;

    /** One accepted job not yet published, as the pending bucket keeps it: its client, and its message. */
    record Pending(String owner, JobTicket ticket) {}

    private final ClusterLink link;
    private final JobBook book;
    private final Membership members;
    private final Map<String, FairQueue<Pending>> byPrior = new ConcurrentHashMap<>();
    /** The jobs this gateway holds, by id. */
    private final Map<String, Pending> held = new ConcurrentHashMap<>();
    private final Object turn = new Object();
    private boolean woken;
    private final Dispatcher ended;
    private final Thread thread;
    private volatile boolean running = true;

    Dispatch(ClusterLink link, JobBook book, Membership members) {
        this.link = link;
        this.book = book;
        this.members = members;
        this.ended = link.nc.createDispatcher(m -> wake());
        ended.subscribe(Names.ENDED);
        this.thread = new Thread(this::loop, "segue-dispatch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Holds an accepted job until a worker for its prior is free; it is in the pending bucket when this returns. */
    void offer(String owner, JobTicket ticket) throws IOException {
        Pending p = new Pending(owner, ticket);
        try {
            link.pending.put(ticket.job(), JSON.writeValueAsBytes(p));
        } catch (JetStreamApiException e) {
            throw new IOException("cannot keep job " + ticket.job() + " for its turn: " + e.getMessage(), e);
        }
        hold(p);
        wake();
    }

    /** A cancelled job: never published, if it was not yet. */
    void remove(String job) {
        Pending p = held.remove(job);
        if (p != null) {
            queue(p.ticket().prior()).remove(p);
        }
        forget(job);
    }

    private void hold(Pending p) {
        if (held.putIfAbsent(p.ticket().job(), p) == null) {
            queue(p.ticket().prior()).offer(p.owner(), p);
        }
    }

    private FairQueue<Pending> queue(String prior) {
        return byPrior.computeIfAbsent(prior, k -> new FairQueue<>(Integer.MAX_VALUE));
    }

    private void wake() {
        synchronized (turn) {
            woken = true;
            turn.notifyAll();
        }
    }

    private void loop() {
        long lastAdopted = 0;
        while (running) {
            try {
                synchronized (turn) {
                    if (!woken) {
                        turn.wait(TURN_MILLIS);
                    }
                    woken = false;
                }
                if (System.currentTimeMillis() - lastAdopted >= ADOPT_EVERY_MILLIS) {
                    lastAdopted = System.currentTimeMillis();
                    adopt();
                }
                if (!held.isEmpty()) {
                    publishTurn();
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | JetStreamApiException | RuntimeException e) { // NATS away: the next turn tries again
                LOG.warn("cannot hand jobs to the workers now: {}", e.getMessage());
            }
        }
    }

    /** For each prior, as many jobs as it has free workers, least recently served client first. */
    private void publishTurn() throws IOException, JetStreamApiException, InterruptedException {
        Map<String, Long> inStream = link.jsm.getStreamInfo(Names.STREAM,
                StreamInfoOptions.filterSubjects(Names.ALL_JOBS))
                .getStreamState().getSubjectMap();
        Membership.View view = members.view();
        for (Map.Entry<String, FairQueue<Pending>> e : byPrior.entrySet()) {
            long free = view.holding(e.getKey()) - inStream.getOrDefault(Names.jobSubject(e.getKey()), 0L);
            while (free > 0) {
                Pending p = e.getValue().poll(0);
                if (p == null) {
                    break;
                }
                if (held.remove(p.ticket().job(), p) && publish(p)) {
                    free--;
                }
            }
        }
    }

    /** Publishes a held job unless another gateway already has; false if it did not go out. */
    private boolean publish(Pending p) throws IOException {
        String job = p.ticket().job();
        try {
            KeyValueEntry entry = link.pending.get(job);
            if (entry == null || entry.getOperation() != KeyValueOperation.PUT) {
                return false; // published by another gateway, or cancelled
            }
            link.js.publish(p.ticket().toMessage());
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            hold(p); // still pending: the next turn tries again
            throw new IOException("cannot publish job " + job + ": " + e.getMessage(), e);
        }
        forget(job);
        return true;
    }

    /** Holds every pending job this gateway does not, whose record is still queued; drops the rest. */
    private void adopt() throws IOException, JetStreamApiException, InterruptedException {
        for (String job : link.pending.keys()) {
            if (held.containsKey(job)) {
                continue;
            }
            KeyValueEntry entry = link.pending.get(job);
            if (entry == null || entry.getOperation() != KeyValueOperation.PUT) {
                continue;
            }
            JobRecord record = book.find(job).orElse(null);
            if (record == null || record.state() != dev.segue.protocol.message.JobState.QUEUED) {
                forget(job); // published and taken, finished, or cancelled
                continue;
            }
            try {
                hold(JSON.readValue(entry.getValue(), Pending.class));
            } catch (IOException unreadable) {
                LOG.error("job {}: its pending entry is unreadable ({}); it cannot be published", job,
                        unreadable.getMessage());
            }
        }
    }

    private void forget(String job) {
        try {
            link.pending.delete(job);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            // left behind: adoption finds its record no longer queued and deletes it then
        }
    }

    /** Jobs this gateway holds for their turn, not yet on the stream. */
    int held() {
        return held.size();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        link.nc.closeDispatcher(ended);
    }
}
