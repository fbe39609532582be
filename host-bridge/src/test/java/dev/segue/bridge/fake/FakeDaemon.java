package dev.segue.bridge.fake;

import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A stand-in daemon for tests: a ROUTER on a free loopback port, served by one thread that hands
 * each decoded message to a {@link Handler}. The thread polls in short slices and checks a flag,
 * so {@link #close()} always ends it.
 */
public final class FakeDaemon implements AutoCloseable {
    public interface Handler {
        void handle(Message m, Replies replies) throws Exception;
    }

    /** Sends to the client that sent the message being handled. */
    public interface Replies {
        void send(Message m);

        /** Frames as given, for messages the codec would refuse to build. */
        void sendRaw(byte[]... frames);
    }

    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket router;
    private final int port;
    private final Thread thread;
    private final List<Message> received = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    public FakeDaemon(Handler handler) {
        this(handler, 0);
    }

    /** @param port a port to bind again (a daemon restarted where clients expect it); 0 picks a free one */
    public FakeDaemon(Handler handler, int port) {
        router = context.createSocket(SocketType.ROUTER);
        router.setLinger(0);
        if (port == 0) {
            this.port = router.bindToRandomPort("tcp://127.0.0.1");
        } else {
            router.bind("tcp://127.0.0.1:" + port);
            this.port = port;
        }
        thread = new Thread(() -> serve(handler), "fake-daemon-" + this.port);
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Every message that decoded, in arrival order. */
    public List<Message> received() {
        return received;
    }

    /** Exceptions the handler threw; a test should find none. */
    public List<Throwable> failures() {
        return failures;
    }

    private void serve(Handler handler) {
        try (ZMQ.Poller poller = context.createPoller(1)) {
            poller.register(router, ZMQ.Poller.POLLIN);
            while (running) {
                if (poller.poll(20) <= 0 || !poller.pollin(0)) {
                    continue;
                }
                byte[] identity = router.recv(0);
                List<byte[]> frames = new ArrayList<>();
                while (router.hasReceiveMore()) {
                    frames.add(router.recv(0));
                }
                Replies replies = replies(identity);
                Message m;
                try {
                    m = ProtocolCodec.decode(frames);
                } catch (ProtocolException e) {
                    replies.send(ErrorReply.of(e));
                    continue;
                }
                received.add(m);
                try {
                    handler.handle(m, replies);
                } catch (Exception | AssertionError e) {
                    failures.add(e);
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                failures.add(e);
            }
        }
    }

    private Replies replies(byte[] identity) {
        return new Replies() {
            @Override
            public void send(Message m) {
                sendRaw(ProtocolCodec.encode(m).toArray(new byte[0][]));
            }

            @Override
            public void sendRaw(byte[]... frames) {
                router.send(identity, ZMQ.SNDMORE);
                for (int i = 0; i < frames.length; i++) {
                    router.send(frames[i], i < frames.length - 1 ? ZMQ.SNDMORE : 0);
                }
            }
        };
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2000);
        context.close();
    }
}
