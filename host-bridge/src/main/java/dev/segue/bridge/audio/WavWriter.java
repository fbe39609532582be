package dev.segue.bridge.audio;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes 24-bit PCM or 32-bit float WAV files atomically: into a temporary file beside the target, flushed to disk,
 * then renamed over it, so a reader (a DAW watching the folder) never sees a half-written take.
 */
public final class WavWriter {
    private WavWriter() {}

    private static final double FULL_SCALE = 1 << 23;
    private static final int MAX_24 = (1 << 23) - 1;
    private static final int MIN_24 = -(1 << 23);

    /**
     * Quantises to 24 bits (round to nearest, scale 2^23, the inverse of {@link WavReader}) and clips
     * what lies outside [-1, 1).
     *
     * @return how many samples were clipped (the protocol allows any finite value in results)
     */
    public static long write24(Path target, PcmAudio audio) throws IOException {
        long dataBytes = (long) audio.samples().length * 3;
        long[] clipped = new long[1];
        writeAtomically(target, header(audio.sampleRate(), audio.channels(), dataBytes, 24, FORMAT_PCM), dataBytes,
                out -> clipped[0] = writeSamples(out, audio.samples()));
        return clipped[0];
    }

    /**
     * Writes IEEE float 32-bit samples as they are (no clipping, no quantisation): what an offline
     * plugin render writes, so it can be compared bit for bit with another host's float output.
     */
    public static void writeFloat32(Path target, PcmAudio audio) throws IOException {
        long dataBytes = (long) audio.samples().length * 4;
        writeAtomically(target, header(audio.sampleRate(), audio.channels(), dataBytes, 32, FORMAT_IEEE_FLOAT), dataBytes, out -> {
            ByteBuffer buf = ByteBuffer.allocate(4 * 4096).order(ByteOrder.LITTLE_ENDIAN);
            for (float s : audio.samples()) {
                buf.putFloat(s);
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
            }
            out.write(buf.array(), 0, buf.position());
        });
    }

    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private static void writeAtomically(Path target, byte[] header, long dataBytes, Body body) throws IOException {
        if (dataBytes > 0xFFFF_FFFFL - 44) {
            throw new IOException(target + ": " + dataBytes + " bytes of audio do not fit a WAV file");
        }
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
        try {
            // Temp files are created owner-only; a stem is an ordinary file other apps and users may read.
            if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                out.write(header);
                body.write(out);
                if (dataBytes % 2 != 0) {
                    out.write(0); // RIFF chunks are word-aligned: an odd-sized data chunk gets a pad byte
                }
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static long writeSamples(OutputStream out, float[] samples) throws IOException {
        long clipped = 0;
        byte[] buf = new byte[3 * 4096];
        int p = 0;
        for (float s : samples) {
            long q = Math.round(s * FULL_SCALE);
            if (q > MAX_24 || q < MIN_24) {
                clipped++;
                q = Math.max(MIN_24, Math.min(MAX_24, q));
            }
            buf[p++] = (byte) q;
            buf[p++] = (byte) (q >> 8);
            buf[p++] = (byte) (q >> 16);
            if (p == buf.length) {
                out.write(buf);
                p = 0;
            }
        }
        out.write(buf, 0, p);
        return clipped;
    }

    private static final short FORMAT_PCM = 1;
    private static final short FORMAT_IEEE_FLOAT = 3;

    private static byte[] header(int sampleRate, int channels, long dataBytes, int bits, short format) {
        int blockAlign = channels * bits / 8;
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.put(ascii("RIFF")).putInt((int) (36 + dataBytes + (dataBytes & 1))).put(ascii("WAVE"));
        h.put(ascii("fmt ")).putInt(16)
                .putShort(format)
                .putShort((short) channels)
                .putInt(sampleRate)
                .putInt(sampleRate * blockAlign)
                .putShort((short) blockAlign)
                .putShort((short) bits);
        h.put(ascii("data")).putInt((int) dataBytes);
        return h.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
