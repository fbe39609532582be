package dev.segue.engine.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.KeyValue;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a worker's entry in the workers bucket alive: written every {@link #EVERY_MILLIS}, it expires with
 * the bucket's TTL once the worker stops (killed, or cut off), so the gateway's view of live priors follows
 * within that TTL. An orderly stop deletes the entry at once.
 */
final class Announcer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Announcer.class);
    static final long EVERY_MILLIS = 2_000;

    private final KeyValue workers;
    private final String key;
    private final byte[] value;
    private final Thread thread;
    private volatile boolean running = true;

    Announcer(KeyValue workers, String worker, List<PriorCard> priors) throws java.io.IOException {
        this.workers = workers;
        this.key = worker;
        this.value = new ObjectMapper().writeValueAsBytes(new Announcement(worker, priors, System.currentTimeMillis()));
        this.thread = new Thread(this::loop, "segue-announce");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                workers.put(key, value);
            } catch (Exception e) { // NATS away: keep trying; the entry lapses meanwhile, as it should
                if (running) {
                    LOG.warn("cannot announce worker {}: {}", key, e.getMessage());
                }
            }
            try {
                Thread.sleep(EVERY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
            workers.delete(key);
        } catch (Exception e) {
            LOG.warn("could not withdraw worker {}: {}", key, e.getMessage());
        }
    }
}
