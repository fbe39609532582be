package dev.segue.engine.server;

import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.ZError;

/**
 * Every message the daemon sends, on its way to the socket. Any thread may {@link #add} (the message is encoded
 * there, so a large result never costs the socket thread its encoding); only the socket thread {@link #flush}es.
 *
 * <p>The ROUTER socket is "mandatory": a message ZeroMQ cannot queue for a client (its pipe is at the high-water
 * mark because the client is not reading) is refused with an error instead of being dropped without a trace, as a
 * plain ROUTER does. Such a message waits here, in that client's backlog, in order, and is sent as soon as the
 * client reads again. A client that has gone away (its identity is unknown to the socket) loses its backlog.
 *
 * <p>The backlog is bounded by what the daemon accepts: a request from a client with {@link #MAX_UNREAD} replies
 * waiting is answered {@code QUEUE_FULL}, and past twice that it is dropped and counted (the client is not reading
 * anything, so no answer could reach it). Progress and preview, which later ones supersede, are skipped for a
 * client with {@link #MAX_UNREAD} waiting; results and a job's last message never are.
 */
public final class Outbox implements AutoCloseable {
    /** Replies waiting for one client before its next request is answered QUEUE_FULL (PROTOCOL.md §4). */
    public static final int MAX_UNREAD = 1000;

    private record Entry(byte[] client, List<byte[]> frames, boolean skippable) {}

    private enum Sent { YES, FULL, GONE }

    private final ConcurrentLinkedQueue<Entry> incoming = new ConcurrentLinkedQueue<>();
    /** Socket thread only: per client, what ZeroMQ would not take yet. */
    private final Map<ByteBuffer, ArrayDeque<Entry>> backlog = new HashMap<>();
    private final Pipe wake;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    /** Socket thread only: where the wake-up bytes are read to. */
    private final ByteBuffer wakeBytes = ByteBuffer.allocate(64);
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong lostToGoneClients = new AtomicLong();
    /** The thread that flushes; it needs no wake-up for what it adds itself. */
    private volatile Thread socketThread;

    public Outbox() {
        try {
            wake = Pipe.open();
            wake.source().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Queues {@code m} for {@code client}; from any thread. The socket thread is woken to send it. */
    public void add(byte[] client, Message m) {
        incoming.add(new Entry(client, ProtocolCodec.encode(m), m instanceof Progress || m instanceof Preview));
        if (Thread.currentThread() != socketThread && wakePending.compareAndSet(false, true)) {
            try {
                wake.sink().write(ByteBuffer.wrap(new byte[] {1}));
            } catch (IOException e) {
                wakePending.set(false); // closed: the daemon is stopping
            }
        }
    }

    void flushedBy(Thread thread) {
        socketThread = thread;
    }

    /** Readable when another thread added a message; the socket thread polls it beside the ROUTER. */
    SelectableChannel wakeChannel() {
        return wake.source();
    }

    /** Replies waiting for {@code client} because it is not reading. */
    int unread(byte[] client) {
        ArrayDeque<Entry> q = backlog.get(ByteBuffer.wrap(client));
        return q == null ? 0 : q.size();
    }

    /** Progress and previews skipped for clients that were not reading. */
    long skipped() {
        return skipped.get();
    }

    /** Messages that were waiting for a client when it went away. */
    long lostToGoneClients() {
        return lostToGoneClients.get();
    }

    /** Sends what the socket will take now: first each client's backlog, then new messages. */
    void flush(ZMQ.Socket router) {
        // Cleared before the pipe is drained, and drained every time: a thread that set the flag just before the
        // clear writes its byte after the drain, and that byte must be read on the next turn, not left in the pipe
        // (the poll would then return at once, every time, and the socket thread would spin on a core).
        wakePending.set(false);
        try {
            wakeBytes.clear();
            while (wake.source().read(wakeBytes) > 0) {
                wakeBytes.clear();
            }
        } catch (IOException e) {
            // closed: the daemon is stopping
        }
        for (Iterator<ArrayDeque<Entry>> it = backlog.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Entry> q = it.next();
            while (!q.isEmpty()) {
                Sent s = send(router, q.peekFirst());
                if (s == Sent.FULL) {
                    break;
                }
                if (s == Sent.GONE) {
                    lostToGoneClients.addAndGet(q.size());
                    q.clear();
                    break;
                }
                q.pollFirst();
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
        Entry e;
        while ((e = incoming.poll()) != null) {
            ByteBuffer key = ByteBuffer.wrap(e.client());
            ArrayDeque<Entry> q = backlog.get(key);
            if (q == null) {
                Sent s = send(router, e);
                if (s == Sent.GONE) {
                    lostToGoneClients.incrementAndGet();
                }
                if (s != Sent.FULL) {
                    continue;
                }
                q = new ArrayDeque<>();
                backlog.put(key, q);
            }
            if (e.skippable() && q.size() >= MAX_UNREAD) {
                skipped.incrementAndGet();
            } else {
                q.addLast(e);
            }
        }
    }

    private static Sent send(ZMQ.Socket router, Entry e) {
        try {
            if (!router.send(e.client(), ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
                return router.errno() == ZError.EAGAIN ? Sent.FULL : Sent.GONE;
            }
        } catch (ZMQException gone) { // JeroMQ throws, rather than returns, EHOSTUNREACH: no such client now
            return gone.getErrorCode() == ZError.EAGAIN ? Sent.FULL : Sent.GONE;
        }
        List<byte[]> frames = e.frames();
        for (int i = 0; i < frames.size(); i++) {
            // Past the first frame ZeroMQ takes the rest of a message whole: the high-water mark counts messages.
            router.send(frames.get(i), (i + 1 < frames.size() ? ZMQ.SNDMORE : 0) | ZMQ.DONTWAIT);
        }
        return Sent.YES;
    }

    @Override
    public void close() {
        try {
            wake.sink().close();
            wake.source().close();
        } catch (IOException ignored) {
            // nothing left to tell
        }
    }
}
