package dev.segue.bridge.client;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Message;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The DEALER socket and what arrived on it but has not been asked for yet. A reply can overtake
 * another job's messages (or come after its request timed out), so messages nobody is waiting for
 * are kept, in order, for the next {@link #receive} whose filter matches them.
 *
 * <p>Not thread-safe: a ZeroMQ socket belongs to one thread at a time.
 */
final class Mailbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Mailbox.class);
    /** Kept unclaimed messages; past this the oldest go, so a client that never reads cannot grow forever. */
    static final int MAX_KEPT = 256;
    /** A loopback handshake takes milliseconds; a stuck one is retried after this. */
    static final int HANDSHAKE_TIMEOUT_MS = 1000;

    private final String endpoint;
    private final ZContext context;
    private final ZMQ.Socket socket;
    private final ZMQ.Poller poller;
    private final ArrayDeque<Message> kept = new ArrayDeque<>();
    private final long clockBase = System.nanoTime();
    private long lastHeardNanos = clockBase;

    Mailbox(String endpoint, Duration sendTimeout, CurveKeys curve) {
        this.endpoint = endpoint;
        context = new ZContext(1);
        try {
            socket = context.createSocket(SocketType.DEALER);
            socket.setLinger(0); // close() must never wait on a daemon that is gone
            // JeroMQ 0.6.0 leaves a few % of fresh outgoing connections (more under load) stuck before the
            // ZMTP handshake: a Poller race, zeromq/jeromq PR #1022, not merged. Only the handshake timer
            // gets them out, by reconnecting; its default, 30 s, outlasts any reply timeout.
            socket.setHandshakeIvl(HANDSHAKE_TIMEOUT_MS);
            socket.setSendTimeOut(Math.toIntExact(Math.max(1, sendTimeout.toMillis())));
            // A frame over the protocol's whole-message bound cannot be valid; let the transport drop it unread.
            socket.setMaxMsgSize(Bounds.MAX_MESSAGE_BYTES);
            if (curve != null) {
                socket.setCurveServerKey(ZMQ.Curve.z85Decode(curve.serverPublicZ85()));
                socket.setCurvePublicKey(ZMQ.Curve.z85Decode(curve.clientPublicZ85()));
                socket.setCurveSecretKey(ZMQ.Curve.z85Decode(curve.clientSecretZ85()));
            }
            socket.connect(endpoint);
            poller = context.createPoller(1);
            poller.register(socket, ZMQ.Poller.POLLIN);
        } catch (RuntimeException e) {
            context.close();
            throw new IllegalArgumentException("cannot connect to '" + endpoint + "': " + e.getMessage(), e);
        }
    }

    String endpoint() {
        return endpoint;
    }

    void send(Message m) throws DaemonException {
        List<byte[]> frames = ProtocolCodec.encode(m);
        for (int i = 0; i < frames.size(); i++) {
            if (!socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0)) {
                throw DaemonException.timeout("could not queue '" + m.type().wire() + "' for " + endpoint);
            }
        }
    }

    /**
     * The first message, kept or new, that {@code wanted} accepts; null once {@code deadlineNanos}
     * (a {@link System#nanoTime()} value) has passed. Others are kept for later calls.
     */
    Message receive(Predicate<Message> wanted, long deadlineNanos) throws DaemonException {
        for (Iterator<Message> it = kept.iterator(); it.hasNext(); ) {
            Message m = it.next();
            if (wanted.test(m)) {
                it.remove();
                return m;
            }
        }
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            // Round up so a sub-millisecond remainder still waits instead of spinning.
            if (poller.poll((left + 999_999) / 1_000_000) <= 0 || !poller.pollin(0)) {
                continue;
            }
            Message m = readOne();
            if (m == null) {
                continue;
            }
            if (wanted.test(m)) {
                return m;
            }
            keep(m);
        }
    }

    /** Forgets kept messages, e.g. those of a job that was just cancelled. */
    void discard(Predicate<Message> which) {
        kept.removeIf(which);
    }

    /** When the daemon last sent anything, as {@link System#nanoTime()}; creation time before that. */
    long lastHeardNanos() {
        return lastHeardNanos;
    }

    /** A non-negative monotonic clock for heartbeat {@code t_ms} (nanoTime itself may be negative). */
    long monotonicMs() {
        return (System.nanoTime() - clockBase) / 1_000_000;
    }

    private Message readOne() throws DaemonException {
        List<byte[]> frames = new ArrayList<>(2);
        byte[] f = socket.recv(ZMQ.DONTWAIT);
        if (f == null) {
            return null;
        }
        frames.add(f);
        while (socket.hasReceiveMore()) { // a multipart message arrives whole, so these never wait
            frames.add(socket.recv(0));
        }
        lastHeardNanos = System.nanoTime();
        Message m;
        try {
            m = ProtocolCodec.decode(frames);
        } catch (ProtocolException e) {
            // The spec: a client logs and drops what it cannot decode, and never answers with error.
            log.warn("dropped a message from the daemon that does not decode: {}", e.getMessage());
            return null;
        }
        if (m instanceof Heartbeat h && h.req() == 0) {
            send(new Heartbeat(0, h.tMs())); // the daemon's own liveness probe: echo it as the spec asks
            return null;
        }
        return m;
    }

    private void keep(Message m) {
        if (m instanceof Heartbeat) {
            return; // a late answer to one of our heartbeats: only its waiter could use it
        }
        kept.addLast(m);
        if (kept.size() > MAX_KEPT) {
            log.warn("dropped an unclaimed '{}' from the daemon (more than {} waiting)",
                    kept.removeFirst().type().wire(), MAX_KEPT);
        }
    }

    @Override
    public void close() {
        poller.close();
        context.close();
    }
}
