package dev.segue.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.protocol.Audio;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Preview;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The outbox against a real ROUTER whose queue to a client fills: a client that does not read makes ZeroMQ refuse
 * (the socket is mandatory), and the outbox keeps each refused message, in order, until the client reads again.
 */
class OutboxTest {
    @Test
    void aClientThatStopsReadingGetsEveryMessageInOrderOnceItReadsAgain() throws Exception {
        try (ZContext context = new ZContext(); Outbox outbox = new Outbox()) {
            outbox.flushedBy(Thread.currentThread());
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setRouterMandatory(true);
            router.setSndHWM(4);
            int port = router.bindToRandomPort("tcp://127.0.0.1");
            ZMQ.Socket client = context.createSocket(SocketType.DEALER);
            client.setRcvHWM(4);
            client.setReceiveBufferSize(4096);
            client.setReceiveTimeOut(5000);
            client.setHandshakeIvl(1000); // JeroMQ 0.6.0's connect race: see the daemon's tests
            client.connect("tcp://127.0.0.1:" + port);
            client.send(ProtocolCodec.encode(new Heartbeat(1, 1)).get(0));
            ZMsg hello = ZMsg.recvMsg(router);
            byte[] identity = hello.pop().getData();

            int n = 400;
            float[] audio = new float[8000]; // 32 KB a message: the kernel's buffers fill within a few dozen
            for (int i = 1; i <= n; i++) {
                outbox.add(identity, new Preview(i, "j", 0, 8000, i, Audio.of(1, audio)));
                outbox.add(identity, new Heartbeat(i, i));
            }
            outbox.flush(router);
            int waiting = outbox.unread(identity);
            assertTrue(waiting > 0, "ZeroMQ took everything at once; the test's buffers are too large to fill");

            List<Message> got = new ArrayList<>();
            while (got.size() < 2 * n) {
                ZMsg msg = ZMsg.recvMsg(client);
                assertTrue(msg != null, "only " + got.size() + " of " + 2 * n + " arrived");
                List<byte[]> frames = new ArrayList<>();
                msg.forEach(f -> frames.add(f.getData()));
                got.add(ProtocolCodec.decode(frames));
                outbox.flush(router);
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i + 1, assertInstanceOf(Preview.class, got.get(2 * i)).req());
                assertEquals(new Heartbeat(i + 1, i + 1), got.get(2 * i + 1));
            }
            assertEquals(0, outbox.unread(identity));
            assertEquals(0, outbox.skipped(), "fewer than MAX_UNREAD were waiting: nothing skippable was skipped");
            System.out.println("outbox: " + waiting + " messages waited for the client, all delivered in order");
        }
    }

    @Test
    void aClientThatHasGoneLosesItsBacklogAndNothingElse() throws Exception {
        try (ZContext context = new ZContext(); Outbox outbox = new Outbox()) {
            outbox.flushedBy(Thread.currentThread());
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setRouterMandatory(true);
            router.bindToRandomPort("tcp://127.0.0.1");
            outbox.add(new byte[] {0, 1, 2, 3, 4}, new Heartbeat(1, 1));
            outbox.flush(router);
            assertEquals(0, outbox.unread(new byte[] {0, 1, 2, 3, 4}));
            assertEquals(1, outbox.lostToGoneClients());
        }
    }
}
