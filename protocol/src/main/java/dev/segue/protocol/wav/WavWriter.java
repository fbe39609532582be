package dev.segue.protocol.wav;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes WAV files (16- or 24-bit PCM, or 32-bit float; a plain 44-byte header) atomically: into a temporary file
 * beside the target, flushed to disk, then renamed over it, so a reader (a DAW watching the folder) never sees a
 * half-written take. The one WAV writer of the Java parts; {@link WavReader} reads what it writes back exactly.
 */
public final class WavWriter {
    private WavWriter() {}

    private static final short FORMAT_PCM = 1;
    private static final short FORMAT_IEEE_FLOAT = 3;

    /**
     * 24-bit PCM: takes and renders. Quantises as the inverse of {@link WavReader} (scale 2^23, round to nearest) and
     * clips what lies outside [-1, 1); a non-finite sample is written as silence.
     *
     * @return how many samples were clipped or non-finite (the protocol allows any finite value in results)
     */
    public static long write24(Path target, PcmAudio audio) throws IOException {
        return writeInteger(target, audio, 3);
    }

    /** 16-bit PCM, as {@link #write24}: half the size, ample for training clips (96 dB of range). */
    public static long write16(Path target, PcmAudio audio) throws IOException {
        return writeInteger(target, audio, 2);
    }

    /**
     * Writes IEEE float 32-bit samples as they are (no clipping, no quantisation): what an offline
     * plugin render writes, so it can be compared bit for bit with another host's float output.
     */
    public static void writeFloat32(Path target, PcmAudio audio) throws IOException {
        long dataBytes = checkedDataBytes(target, audio, 4);
        writeAtomically(target, header(audio, dataBytes, 32, FORMAT_IEEE_FLOAT), dataBytes, out -> {
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

    private static long writeInteger(Path target, PcmAudio audio, int bytes) throws IOException {
        long dataBytes = checkedDataBytes(target, audio, bytes);
        long[] clipped = new long[1];
        writeAtomically(target, header(audio, dataBytes, 8 * bytes, FORMAT_PCM), dataBytes,
                out -> clipped[0] = writeSamples(out, audio.samples(), bytes));
        return clipped[0];
    }

    private static long writeSamples(OutputStream out, float[] samples, int bytes) throws IOException {
        double fullScale = 1L << (8 * bytes - 1);
        long max = (1L << (8 * bytes - 1)) - 1;
        long min = -(1L << (8 * bytes - 1));
        long clipped = 0;
        byte[] buf = new byte[bytes * 4096];
        int p = 0;
        for (float s : samples) {
            long q = Float.isFinite(s) ? Math.round(s * fullScale) : 0;
            if (q > max || q < min || !Float.isFinite(s)) {
                clipped++;
                q = Math.max(min, Math.min(max, q));
            }
            for (int b = 0; b < bytes; b++) {
                buf[p++] = (byte) (q >> (8 * b));
            }
            if (p == buf.length) {
                out.write(buf);
                p = 0;
            }
        }
        out.write(buf, 0, p);
        return clipped;
    }

    private static long checkedDataBytes(Path target, PcmAudio audio, int sampleBytes) throws IOException {
        if (audio.channels() < 1 || audio.channels() > WavReader.MAX_CHANNELS
                || audio.samples().length % audio.channels() != 0 || audio.sampleRate() < 1) {
            throw new IllegalArgumentException(target + ": " + audio.samples().length + " samples in "
                    + audio.channels() + " channels at " + audio.sampleRate() + " Hz is not audio a WAV can hold");
        }
        long dataBytes = (long) audio.samples().length * sampleBytes;
        if (dataBytes > 0xFFFF_FFFFL - 44) {
            throw new IOException(target + ": " + dataBytes + " bytes of audio do not fit a WAV file");
        }
        return dataBytes;
    }

    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private static void writeAtomically(Path target, byte[] header, long dataBytes, Body body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
        try {
            // Temp files are created owner-only; a stem is an ordinary file other apps and users may read.
            if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
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

    private static byte[] header(PcmAudio audio, long dataBytes, int bits, short format) {
        int blockAlign = audio.channels() * bits / 8;
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.put(ascii("RIFF")).putInt((int) (36 + dataBytes + (dataBytes & 1))).put(ascii("WAVE"));
        h.put(ascii("fmt ")).putInt(16)
                .putShort(format)
                .putShort((short) audio.channels())
                .putInt(audio.sampleRate())
                .putInt(audio.sampleRate() * blockAlign)
                .putShort((short) blockAlign)
                .putShort((short) bits);
        h.put(ascii("data")).putInt((int) dataBytes);
        return h.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
