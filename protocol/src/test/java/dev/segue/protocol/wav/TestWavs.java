package dev.segue.protocol.wav;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-built WAV files, independent of the code under test, so a reader bug cannot hide in a writer bug. */
public final class TestWavs {
    private TestWavs() {}

    public static final int PCM = 1;
    public static final int FLOAT = 3;
    public static final int EXTENSIBLE = 0xFFFE;
    private static final byte[] PCM_GUID = {1, 0, 0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38,
            (byte) 0x9B, 0x71};

    /** 16-bit signed PCM of the given integer sample values. */
    public static void write16(Path file, int rate, int channels, int[] values) throws IOException {
        ByteBuffer b = le(values.length * 2);
        for (int v : values) {
            b.putShort((short) v);
        }
        write(file, PCM, 16, rate, channels, b.array());
    }

    /** 24-bit signed PCM; {@code extensible} writes the WAVE_FORMAT_EXTENSIBLE header DAWs use. */
    public static void write24(Path file, int rate, int channels, int[] values, boolean extensible) throws IOException {
        byte[] d = new byte[values.length * 3];
        for (int i = 0; i < values.length; i++) {
            d[3 * i] = (byte) values[i];
            d[3 * i + 1] = (byte) (values[i] >> 8);
            d[3 * i + 2] = (byte) (values[i] >> 16);
        }
        write(file, extensible ? EXTENSIBLE : PCM, 24, rate, channels, d);
    }

    public static void writeFloat(Path file, int rate, int channels, float[] values) throws IOException {
        ByteBuffer b = le(values.length * 4);
        for (float v : values) {
            b.putFloat(v);
        }
        write(file, FLOAT, 32, rate, channels, b.array());
    }

    public static void write(Path file, int tag, int bits, int rate, int channels, byte[] data) throws IOException {
        int fmtSize = tag == EXTENSIBLE ? 40 : tag == FLOAT ? 18 : 16;
        int pad = data.length & 1;
        ByteBuffer h = le(8 + 4 + 8 + fmtSize + 8);
        h.put(ascii("RIFF")).putInt(4 + 8 + fmtSize + 8 + data.length + pad).put(ascii("WAVE"));
        int align = channels * bits / 8;
        h.put(ascii("fmt ")).putInt(fmtSize).putShort((short) tag).putShort((short) channels).putInt(rate)
                .putInt(rate * align).putShort((short) align).putShort((short) bits);
        if (tag == FLOAT) {
            h.putShort((short) 0);
        } else if (tag == EXTENSIBLE) {
            h.putShort((short) 22).putShort((short) bits).putInt(channels == 2 ? 3 : 4).put(PCM_GUID);
        }
        h.put(ascii("data")).putInt(data.length);
        byte[] all = new byte[h.capacity() + data.length + pad];
        System.arraycopy(h.array(), 0, all, 0, h.capacity());
        System.arraycopy(data, 0, all, h.capacity(), data.length);
        Files.write(file, all);
    }

    /** Puts a chunk (padded when odd) right after "WAVE", before every other chunk, as DAWs put bext or JUNK. */
    public static void insertChunk(Path file, String id, byte[] body) throws IOException {
        byte[] old = Files.readAllBytes(file);
        int pad = body.length & 1;
        ByteBuffer b = le(old.length + 8 + body.length + pad);
        b.put(old, 0, 12).put(ascii(id)).putInt(body.length).put(body).put(new byte[pad]).put(old, 12, old.length - 12);
        b.putInt(4, b.capacity() - 8);
        Files.write(file, b.array());
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
