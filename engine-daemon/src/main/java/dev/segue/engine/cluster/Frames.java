package dev.segue.engine.cluster;

import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.message.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A protocol message's frames in one NATS payload: each frame as a 4-byte big-endian length and its bytes.
 * The cluster carries requests and events in the wire protocol's own encoding, so the codec that checks a
 * client's bytes checks them again on the other side.
 */
final class Frames {
    private Frames() {}

    static byte[] pack(Message m) {
        return pack(ProtocolCodec.encode(m));
    }

    static byte[] pack(List<byte[]> frames) {
        int size = 0;
        for (byte[] f : frames) {
            size += 4 + f.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (byte[] f : frames) {
            out.putInt(f.length).put(f);
        }
        return out.array();
    }

    static List<byte[]> unpack(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        List<byte[]> frames = new ArrayList<>(2);
        while (in.hasRemaining()) {
            if (in.remaining() < 4 || frames.size() == 2) {
                throw new IllegalArgumentException("not a packed protocol message");
            }
            int n = in.getInt();
            if (n < 0 || n > in.remaining()) {
                throw new IllegalArgumentException("a packed frame of " + n + " bytes overruns its payload");
            }
            byte[] f = new byte[n];
            in.get(f);
            frames.add(f);
        }
        return frames;
    }

    static Message unpackMessage(byte[] payload) {
        return ProtocolCodec.decode(unpack(payload));
    }
}
