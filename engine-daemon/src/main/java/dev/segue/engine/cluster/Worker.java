package dev.segue.engine.cluster;

import dev.segue.engine.server.ContinuationEngine;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon as one worker of a cluster: the priors it loaded, one job at a time (one device), pulled from the
 * work-queue subjects of those priors. Workers holding a prior share that prior's durable consumer, so each
 * job goes to one of them; a job not acknowledged within the ack wait (its worker died) goes to another.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    /** Deliveries of one job before JetStream gives up on it (each a worker dying under it), unless told otherwise. */
    public static final int MAX_DELIVER = 5;

    private final ClusterLink link;
    private final String name;
    private final List<ContinuationEngine> engines;
    private final Duration ackWait;
    private final int maxDeliver;
    private final List<JetStreamSubscription> queues = new ArrayList<>();
    private volatile boolean running = true;
    private volatile JobRun current;
    private Announcer announcer;
    private Dispatcher labels;

    private Worker(ClusterLink link, String name, List<ContinuationEngine> engines, Duration ackWait, int maxDeliver) {
        this.link = link;
        this.name = name;
        this.engines = List.copyOf(engines);
        this.ackWait = ackWait;
        this.maxDeliver = maxDeliver;
    }

    /**
     * Connects to NATS at {@code url}; the worker starts taking jobs when {@link #serve()} runs. The ack wait and
     * the most deliveries are settings of the prior's consumer, which all its workers share: they should agree.
     */
    public static Worker connect(String url, String name, List<ContinuationEngine> engines, Duration ackWait,
                                 int maxDeliver) throws IOException, InterruptedException {
        if (maxDeliver < 1 || maxDeliver > 100) {
            throw new IllegalArgumentException("max deliveries " + maxDeliver + ": use 1..100");
        }
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("worker name '" + name + "': use 1..64 of A-Z a-z 0-9 _ -");
        }
        try {
            return new Worker(ClusterLink.connect(url, "segue-worker-" + name, 30), name, engines, ackWait, maxDeliver);
        } catch (JetStreamApiException e) {
            throw new IOException("NATS at " + url + " refused the cluster's streams (is JetStream on, -js?): "
                    + e.getMessage(), e);
        }
    }

    /** Takes jobs until {@link #close()}; call on a thread of its own. */
    public void serve() throws IOException, InterruptedException {
        try {
            for (ContinuationEngine engine : engines) {
                String durable = Names.consumer(engine.priorName());
                link.jsm.addOrUpdateConsumer(Names.STREAM, ConsumerConfiguration.builder().durable(durable)
                        .filterSubject(Names.jobSubject(engine.priorName())).ackPolicy(AckPolicy.Explicit)
                        .ackWait(ackWait).maxDeliver(maxDeliver).maxAckPending(10_000).build());
                queues.add(link.js.subscribe(Names.jobSubject(engine.priorName()),
                        PullSubscribeOptions.bind(Names.STREAM, durable)));
            }
        } catch (JetStreamApiException e) {
            throw new IOException("cannot bind the job queues: " + e.getMessage(), e);
        }
        labels = LabelDesk.open(link.nc, engines);
        announcer = new Announcer(link.workers, name, engines.stream().map(PriorCard::of).toList());
        LOG.info("segue worker {} serving priors {} from {}", name,
                engines.stream().map(ContinuationEngine::priorName).toList(), link.nc.getConnectedUrl());
        Duration wait = Duration.ofMillis(Math.max(50, 1000 / queues.size()));
        while (running) {
            for (int i = 0; i < queues.size() && running; i++) {
                List<Message> got;
                try {
                    got = queues.get(i).fetch(1, wait);
                } catch (IllegalStateException e) { // the connection is away; jnats reconnects by itself
                    Thread.sleep(250);
                    continue;
                }
                for (Message m : got) {
                    if (running) {
                        current = new JobRun(link, name, engines.get(i), m, ackWait);
                        current.run();
                        current = null;
                    } else {
                        m.nak(); // not started: straight back to the queue for another worker
                    }
                }
            }
        }
    }

    /** Stops taking jobs; a job in flight is stopped and handed back to the queue at once, not failed. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        JobRun run = current;
        if (run != null) {
            run.handBack();
        }
        if (announcer != null) {
            announcer.close();
        }
        if (labels != null) {
            link.nc.closeDispatcher(labels);
        }
    }

    /** Closes the connection once {@link #serve()} has returned. */
    public void disconnect() throws InterruptedException {
        link.close();
    }
}
