package dev.segue.engine.bench;

import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.message.Message;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/** Whole protocol messages over a bench's raw JeroMQ DEALER: the benches drive the daemon's wire directly. */
final class Wire {
    private Wire() {}

    static void send(ZMQ.Socket s, Message m) {
        ZMsg msg = new ZMsg();
        ProtocolCodec.encode(m).forEach(msg::add);
        msg.send(s);
    }

    /** The next message, or null when none comes within the socket's receive timeout ({@code flags} 0) or now. */
    static Message receive(ZMQ.Socket s, int flags) {
        ZMsg msg = ZMsg.recvMsg(s, flags);
        if (msg == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>();
        msg.forEach(f -> frames.add(f.getData()));
        return ProtocolCodec.decode(frames);
    }
}
