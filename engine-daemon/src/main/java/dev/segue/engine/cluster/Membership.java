package dev.segue.engine.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segue.engine.server.Engines;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live workers and the union of their priors, read from the workers bucket once a second. A worker is
 * live while it has an entry: JetStream removes an entry not renewed within the bucket's TTL (the server's
 * clock alone decides, so the gateway's clock may differ from it). Two workers announcing one prior name are one prior to clients; the
 * first by worker name describes it.
 */
final class Membership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One read of the bucket: live workers by name, and the priors they hold, in a stable order. */
    record View(Map<String, Announcement> workers, List<RemotePrior> priors, Engines engines) {
        /** Live workers announcing {@code prior}: how many of its jobs the cluster can run at once. */
        int holding(String prior) {
            int n = 0;
            for (Announcement a : workers.values()) {
                if (a.priors().stream().anyMatch(card -> card.name().equals(prior))) {
                    n++;
                }
            }
            return n;
        }
    }

    private final KeyValue bucket;
    private final Connection nc;
    private final Thread thread;
    private volatile View view = new View(Map.of(), List.of(), Engines.of(List.of()));
    private volatile boolean running = true;

    Membership(KeyValue bucket, Connection nc) {
        this.bucket = bucket;
        this.nc = nc;
        refresh();
        this.thread = new Thread(this::loop, "segue-membership");
        thread.setDaemon(true);
        thread.start();
    }

    View view() {
        return view;
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
            refresh();
        }
    }

    void refresh() {
        try {
            Map<String, Announcement> workers = new TreeMap<>();
            for (String key : bucket.keys()) {
                KeyValueEntry e = bucket.get(key);
                if (e != null && e.getOperation() == KeyValueOperation.PUT) {
                    try {
                        workers.put(key, JSON.readValue(e.getValue(), Announcement.class));
                    } catch (java.io.IOException unreadable) { // not a worker of this version: leave it out
                        LOG.warn("ignoring worker entry '{}': {}", key, unreadable.getMessage());
                    }
                }
            }
            Map<String, RemotePrior> priors = new LinkedHashMap<>();
            for (Announcement a : workers.values()) {
                for (PriorCard card : a.priors()) {
                    priors.putIfAbsent(card.name(), new RemotePrior(card, nc));
                }
            }
            List<RemotePrior> held = List.copyOf(new ArrayList<>(priors.values()));
            view = new View(Map.copyOf(workers), held, Engines.of(held));
        } catch (Exception e) { // NATS away: keep the last view; jobs wait in the stream meanwhile
            LOG.warn("cannot read the live workers: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
