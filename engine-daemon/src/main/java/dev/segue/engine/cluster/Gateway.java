package dev.segue.engine.cluster;

import dev.segue.engine.server.CurveSecurity;
import dev.segue.engine.server.Daemon;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.ListPresets;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.MessageType;
import dev.segue.protocol.message.Presets;
import dev.segue.protocol.message.Priors;
import io.nats.client.JetStreamApiException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZAuth;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * One address for a cluster of workers, speaking the protocol a lone daemon speaks: one ROUTER socket served
 * by one thread, which answers hello, priors, presets and heartbeats itself and hands every request touching
 * jobs to the desk's thread (NATS round trips never hold up a heartbeat). Any thread may leave a reply in
 * the outbox; a pipe wakes the socket thread at once, so a relayed preview waits for no poll interval.
 * The gateway keeps nothing of its own: jobs, records and takes are in JetStream, so a gateway may restart,
 * or several may serve one cluster, and clients re-attach with fetch.
 */
public final class Gateway implements AutoCloseable, Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** How a gateway names itself in capabilities: the one place a client can tell it from a lone daemon. */
    public static final String VERSION = Daemon.VERSION + "-gateway";

    private record Outgoing(byte[] client, Message message) {}

    private final String endpoint;
    private final CurveSecurity curve;
    private final ClusterLink link;
    private final Membership members;
    private final Relay relay;
    private final GatewayDesk desk;
    private final io.nats.client.Dispatcher gaveUp;
    private final ExecutorService deskThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "segue-desk");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
    private final Pipe wake;
    private final AtomicBoolean woken = new AtomicBoolean();
    private final CountDownLatch bound = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile String boundEndpoint;
    private volatile RuntimeException failure;

    private Gateway(String endpoint, CurveSecurity curve, ClusterLink link, int outstandingPerClient) throws IOException {
        this.endpoint = endpoint;
        this.curve = curve;
        this.link = link;
        JobBook book = new JobBook(link.jobs);
        TakeStore store = new TakeStore(link.takes);
        this.members = new Membership(link.workers, link.nc);
        this.relay = new Relay(link.nc, book, store, this);
        this.desk = new GatewayDesk(link, book, store, members, relay, this, outstandingPerClient);
        this.gaveUp = GaveUp.watch(link, book);
        this.wake = Pipe.open();
        wake.source().configureBlocking(false);
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
        try (ZContext context = new ZContext(); ZAuth auth = curve == null ? null : new ZAuth(context)) {
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            if (curve != null) {
                auth.configureCurve(curve.allowedClients().toString());
                router.setZAPDomain("segue");
                router.setCurveServer(true);
                router.setCurveSecretKey(ZMQ.Curve.z85Decode(curve.serverSecretZ85()));
            }
            router.setMaxMsgSize(Bounds.MAX_MESSAGE_BYTES);
            if (!router.bind(endpoint)) {
                failure = new IllegalStateException("cannot listen on " + endpoint + ": "
                        + ZMQ.Error.findByCode(router.errno()));
                throw failure;
            }
            boundEndpoint = router.getLastEndpoint();
            bound.countDown();
            LOG.info("segue gateway {} listening on {} for the cluster at {}", VERSION, endpoint,
                    link.nc.getConnectedUrl());
            ZMQ.Poller poller = context.createPoller(2);
            poller.register(router, ZMQ.Poller.POLLIN);
            poller.register(wake.source(), ZMQ.Poller.POLLIN);
            ByteBuffer drain = ByteBuffer.allocate(64);
            while (running && !Thread.currentThread().isInterrupted()) {
                poller.poll(100);
                ZMsg msg;
                while ((msg = ZMsg.recvMsg(router, ZMQ.DONTWAIT)) != null) {
                    receive(msg);
                }
                woken.set(false);
                while (wake.source().read(drain.clear()) > 0) {
                    // emptied: the next send writes again
                }
                Outgoing out;
                while ((out = outbox.poll()) != null) {
                    ZMsg reply = new ZMsg();
                    reply.add(out.client());
                    for (byte[] frame : ProtocolCodec.encode(out.message())) {
                        reply.add(frame);
                    }
                    reply.send(router);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("the gateway's wake-up pipe failed", e);
        } finally {
            bound.countDown();
        }
    }

    /** Waits until the socket is bound and returns the address it is bound to; throws if binding failed. */
    public String awaitBound() throws InterruptedException {
        bound.await();
        if (failure != null) {
            throw failure;
        }
        return boundEndpoint;
    }

    @Override
    public void send(byte[] client, Message m) {
        outbox.add(new Outgoing(client, m));
        if (woken.compareAndSet(false, true)) {
            try {
                wake.sink().write(ByteBuffer.wrap(new byte[] {1}));
            } catch (IOException e) {
                LOG.warn("cannot wake the socket thread: {}", e.getMessage()); // it polls every 100 ms anyway
            }
        }
    }

    private void receive(ZMsg msg) {
        byte[] client = msg.pop().getData();
        List<byte[]> frames = new ArrayList<>();
        msg.forEach(f -> frames.add(f.getData()));
        Message m;
        try {
            m = ProtocolCodec.decode(frames);
        } catch (ProtocolException e) {
            LOG.warn("bad message from a client: {} {}", e.code(), e.text());
            send(client, ErrorReply.of(e));
            return;
        }
        try {
            answer(client, m);
        } catch (ProtocolException e) { // e.g. more priors or presets across the workers than one list may hold
            send(client, new ErrorReply(m.req(), null, e.code(), e.text()));
        } catch (RuntimeException e) {
            LOG.error("failed to answer {}", m.type(), e);
            send(client, new ErrorReply(m.req(), null, ErrorCode.INTERNAL, String.valueOf(e.getMessage())));
        }
    }

    private void answer(byte[] client, Message m) {
        if (m instanceof Hello h) {
            Membership.View v = members.view();
            send(client, new Capabilities(h.req(), VERSION, Bounds.PROTOCOL_VERSION,
                    v.priors().stream().map(RemotePrior::priorName).toList(),
                    Catalog.presets(v.priors()).stream().map(p -> p.name()).distinct().toList(), Catalog.limits(v.priors())));
        } else if (m instanceof ListPriors l) {
            send(client, new Priors(l.req(), Catalog.priors(members.view().priors())));
        } else if (m instanceof ListPresets l) {
            send(client, new Presets(l.req(), Catalog.presets(members.view().priors())));
        } else if (m instanceof Heartbeat h) {
            send(client, new Heartbeat(h.req(), h.tMs()));
        } else if (isClientRequest(m.type())) {
            deskThread.execute(() -> atDesk(client, m));
        } else {
            send(client, new ErrorReply(m.req(), null, ErrorCode.BAD_MESSAGE,
                    "'" + m.type() + "' is sent by the daemon, not to it"));
        }
    }

    private static boolean isClientRequest(MessageType t) {
        return switch (t) {
            case SUBMIT, EXTEND, CANCEL, FETCH, LIST_JOBS, LIST_LABELS -> true;
            default -> false;
        };
    }

    private void atDesk(byte[] client, Message m) {
        try {
            desk.handle(client, m);
        } catch (ProtocolException e) {
            LOG.info("refused {} req {}: {} {}", m.type(), m.req(), e.code(), e.text());
            send(client, new ErrorReply(m.req(), null, e.code(), e.text()));
        } catch (IOException | RuntimeException e) {
            LOG.error("failed to handle {}", m.type(), e);
            send(client, new ErrorReply(m.req(), null, ErrorCode.INTERNAL, "the cluster: " + e.getMessage()));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        deskThread.shutdown();
        relay.close();
        link.nc.closeDispatcher(gaveUp);
        members.close();
        link.close();
    }
}
