package dev.segue.engine.cluster;

import dev.segue.engine.server.CurveSecurity;
import dev.segue.engine.server.Daemon;
import dev.segue.engine.server.Engines;
import dev.segue.engine.server.DaemonStats;
import dev.segue.engine.server.Front;
import dev.segue.engine.server.Replies;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.GetStats;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.ListPresets;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Presets;
import io.nats.client.JetStreamApiException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One address for a cluster of workers, served through the lone daemon's own {@link Front}: one ROUTER socket on
 * one thread, with the daemon's flow control, bad-message handling and admission thread. The socket thread answers
 * hello, priors, presets and heartbeats from the live workers' announcements; every request touching jobs goes to the
 * admission thread ({@link GatewayDesk}), so NATS round trips never hold up a heartbeat. The gateway keeps nothing of
 * its own: job records, takes and the jobs it has not yet handed to the workers are in JetStream, so a gateway may
 * restart, or several may serve one cluster, and clients re-attach with fetch.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** How a gateway names itself in capabilities: the one place a client can tell it from a lone daemon. */
    public static final String VERSION = Daemon.VERSION + "-gateway";

    private final String endpoint;
    private final CurveSecurity curve;
    private final ClusterLink link;
    private final Front front = new Front(LOG);
    private final DaemonStats stats = new DaemonStats();
    private final Membership members;
    private final Relay relay;
    private final Dispatch dispatch;
    private final GatewayDesk desk;
    private final io.nats.client.Dispatcher gaveUp;
    private volatile boolean running = true;

    private Gateway(String endpoint, CurveSecurity curve, ClusterLink link, int outstandingPerClient) throws IOException {
        this.endpoint = endpoint;
        this.curve = curve;
        this.link = link;
        JobBook book = new JobBook(link.jobs);
        TakeStore store = new TakeStore(link.takes);
        Replies replies = new Replies(front.outbox(), null);
        this.members = new Membership(link.workers, link.nc);
        this.relay = new Relay(link.nc, book, store, replies);
        this.dispatch = new Dispatch(link, book, members);
        this.desk = new GatewayDesk(link, book, store, members, relay, dispatch, replies, outstandingPerClient);
        this.gaveUp = GaveUp.watch(link, book);
    }

    /** Connects to NATS (creating the cluster's streams if absent); serving starts with {@link #serve()}. */
    public static Gateway connect(String natsUrl, String endpoint, CurveSecurity curve, int outstandingPerClient)
            throws IOException, InterruptedException {
        if (curve == null) {
            Daemon.requireLoopback(endpoint);
        }
        try {
            return new Gateway(endpoint, curve, ClusterLink.connect(natsUrl, "segue-gateway", 30), outstandingPerClient);
        } catch (JetStreamApiException e) {
            throw new IOException("NATS at " + natsUrl + " refused the cluster's streams (is JetStream on, -js?): "
                    + e.getMessage(), e);
        }
    }

    /** Serves until {@link #close()}; call on a thread of its own. */
    public void serve() {
        front.serve(endpoint, curve, this::answer,
                () -> LOG.info("segue gateway {} listening on {} for the cluster at {}", VERSION, endpoint,
                        link.nc.getConnectedUrl()),
                () -> { }, () -> running);
    }

    /** Waits until the socket is bound and returns the address it is bound to; throws if binding failed. */
    public String awaitBound() throws InterruptedException {
        return front.awaitBound();
    }

    private void answer(byte[] client, Message m) {
        Engines offered = members.view().engines();
        if (m instanceof Hello h) {
            front.send(client, offered.capabilities(h.req(), VERSION));
        } else if (m instanceof ListPriors l) {
            front.send(client, offered.priors(l.req()));
        } else if (m instanceof ListPresets l) {
            front.send(client, new Presets(l.req(), offered.presetInfos()));
        } else if (m instanceof Heartbeat h) {
            front.send(client, new Heartbeat(h.req(), h.tMs()));
        } else if (m instanceof GetStats g) {
            // The gateway's own process; jobs, takes and their counters live on the workers and in the store.
            front.send(client, stats.snapshot(g.req(), front, dispatch.held()));
        } else if (GatewayDesk.takes(m.type())) {
            front.admit(client, m, () -> desk.handle(client, m));
        } else {
            front.send(client, new ErrorReply(m.req(), null, ErrorCode.BAD_MESSAGE,
                    "'" + m.type().wire() + "' is sent by the daemon, not to it"));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        dispatch.close();
        relay.close();
        link.nc.closeDispatcher(gaveUp);
        members.close();
        link.close();
    }
}
