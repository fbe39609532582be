package dev.segue.engine.testing;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.Message;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The daemon's wire driven by hand, as the daemon's tests do: one JeroMQ DEALER, whole protocol messages
 * sent and received. A fresh connection JeroMQ leaves stuck before its handshake (zeromq/jeromq PR #1022)
 * redials after a second instead of thirty.
 */
public final class RawClient {
    private RawClient() {}

    /** A DEALER past hello, replies awaited up to {@code replyTimeoutMillis}; a silent connection is replaced. */
    public static ZMQ.Socket connect(ZContext context, String endpoint, int replyTimeoutMillis) {
        for (int attempt = 1; attempt <= 10; attempt++) {
            ZMQ.Socket s = context.createSocket(SocketType.DEALER);
            s.setLinger(0);
            s.setHandshakeIvl(1000);
            s.setReceiveTimeOut(1000);
            s.connect(endpoint);
            send(s, new Hello(1, "test", "1", 1));
            Message reply = receiveOrNull(s);
            if (reply != null) {
                assertInstanceOf(Capabilities.class, reply);
                s.setReceiveTimeOut(replyTimeoutMillis);
                return s;
            }
            s.close();
        }
        throw new AssertionError("the daemon at " + endpoint + " never answered hello");
    }

    public static void send(ZMQ.Socket s, Message m) {
        ZMsg msg = new ZMsg();
        ProtocolCodec.encode(m).forEach(msg::add);
        msg.send(s);
    }

    /** The next message; an assertion error when none comes within the socket's receive timeout. */
    public static Message receive(ZMQ.Socket s) {
        Message m = receiveOrNull(s);
        if (m == null) {
            throw new AssertionError("no reply within the timeout");
        }
        return m;
    }

    /** The next message, or null when none comes within the socket's receive timeout. */
    public static Message receiveOrNull(ZMQ.Socket s) {
        ZMsg msg = ZMsg.recvMsg(s);
        if (msg == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>();
        msg.forEach(f -> frames.add(f.getData()));
        return ProtocolCodec.decode(frames);
    }
}
