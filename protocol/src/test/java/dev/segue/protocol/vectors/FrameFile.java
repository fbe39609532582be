package dev.segue.protocol.vectors;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The vector container, readable without msgpack: the message's frames in order, each as
 * [u32 little-endian length][bytes]. An empty file is a message with zero frames.
 */
public final class FrameFile {
    private FrameFile() {}

    public static byte[] write(List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(f.length).array());
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    public static List<byte[]> read(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> frames = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.remaining() < 4) {
                throw new IllegalArgumentException("truncated length prefix");
            }
            long len = Integer.toUnsignedLong(in.getInt());
            if (len > in.remaining()) {
                throw new IllegalArgumentException("frame of " + len + " bytes overruns the file");
            }
            byte[] f = new byte[(int) len];
            in.get(f);
            frames.add(f);
        }
        return frames;
    }
}
