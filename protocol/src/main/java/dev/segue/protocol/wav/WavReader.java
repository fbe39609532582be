package dev.segue.protocol.wav;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Reads WAV files: the one WAV reader of the Java parts. It lives in the protocol module because primes, takes'
 * stems and renders are what the daemon, the clients and the tests exchange on disk, and every Java part already
 * depends on this module (package {@code wav}: where a WAV is read and written).
 *
 * <p>Accepted: RIFF/WAVE, little-endian, integer PCM (unsigned 8-bit, signed 16/24/32-bit) or IEEE float (32/64-bit),
 * with a plain or a WAVE_FORMAT_EXTENSIBLE {@code fmt } chunk, 1 to {@value #MAX_CHANNELS} channels; other chunks
 * ({@code bext}, {@code LIST}, {@code JUNK}, ...) are skipped. Our own RIFF parser rather than JavaSound's, because
 * JavaSound refuses some headers DAWs write and does not convert to float.
 *
 * <p>Bounds: at most {@value #MAX_CHUNKS} chunks are walked before the data; a chunk that runs past the end of the file
 * is an error, not a short read; {@link #read(Path, double)} refuses a file longer than the caller's limit before
 * reading any sample, and {@link #read(int)} reads only as many frames as asked. Every error is an
 * {@link IOException} that names the file and what is wrong with it.
 */
public final class WavReader implements Closeable {
    /** Most channels a file may have (7.1); a whole-file {@link #read(Path, double)} takes mono or stereo only. */
    public static final int MAX_CHANNELS = 8;
    /** Most chunks before the data chunk: real files have a handful. */
    public static final int MAX_CHUNKS = 256;

    private static final int RIFF = 0x46464952, WAVE = 0x45564157, FMT = 0x20746d66, DATA = 0x61746164;
    private static final int TAG_PCM = 1, TAG_FLOAT = 3, TAG_EXTENSIBLE = 0xFFFE;
    /** Bytes decoded per pass of {@link #read(int)}. */
    private static final int BUFFER_BYTES = 1 << 16;

    private final Path file;
    private final FileChannel channel;
    private final WavFormat format;
    private final long dataStart;
    private final long frames;
    private long position;

    /**
     * A whole mono or stereo file, refused before it is read when it is longer than {@code maxSeconds}.
     *
     * @throws IOException with a reason a user can act on, for unreadable, unsupported or too long files
     */
    public static PcmAudio read(Path file, double maxSeconds) throws IOException {
        try (WavReader r = open(file)) {
            WavFormat f = r.format();
            if (f.channels() > 2) {
                throw new IOException(file + ": " + f.channels() + " channels, only mono or stereo can be read whole");
            }
            if (r.frames() > maxSeconds * f.sampleRate()) {
                throw new IOException(String.format(Locale.ROOT, "%s: %.2f s long, at most %.0f s allowed",
                        file, r.frames() / (double) f.sampleRate(), maxSeconds));
            }
            return new PcmAudio(f.sampleRate(), f.channels(), r.read(Math.toIntExact(r.frames())));
        }
    }

    /** Opens a file and reads its header; samples are then read in pieces with {@link #read(int)}. */
    public static WavReader open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new WavReader(file, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private WavReader(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        Layout layout = layout();
        this.format = layout.format;
        this.dataStart = layout.dataStart;
        this.frames = layout.dataBytes / format.frameBytes();
    }

    private record Layout(WavFormat format, long dataStart, long dataBytes) {}

    /** Walks the chunks up to the data chunk. */
    private Layout layout() throws IOException {
        long size = channel.size();
        ByteBuffer head = readAt(0, 12);
        if (head.limit() < 12 || head.getInt(0) != RIFF || head.getInt(8) != WAVE) {
            throw bad("not a RIFF/WAVE file");
        }
        WavFormat fmt = null;
        long at = 12;
        for (int chunk = 0; chunk < MAX_CHUNKS; chunk++) {
            ByteBuffer h = readAt(at, 8);
            if (h.limit() < 8) {
                throw bad(fmt == null ? "no fmt chunk" : "no data chunk");
            }
            int id = h.getInt(0);
            long length = Integer.toUnsignedLong(h.getInt(4));
            long body = at + 8;
            if (length > size - body) {
                throw bad("truncated: its " + chunkName(h) + " chunk says " + length + " bytes, " + (size - body)
                        + " are left in the file");
            }
            if (id == FMT) {
                fmt = parseFormat(readAt(body, (int) Math.min(length, 64)), length);
            } else if (id == DATA) {
                if (fmt == null) {
                    throw bad("the data chunk comes before the fmt chunk");
                }
                return new Layout(fmt, body, length);
            }
            at = body + length + (length & 1); // chunks are word-aligned: an odd-sized one has a pad byte
        }
        throw bad("no data chunk among the first " + MAX_CHUNKS + " chunks");
    }

    private WavFormat parseFormat(ByteBuffer b, long length) throws IOException {
        if (length < 16) {
            throw bad("fmt chunk of " + length + " bytes, at least 16 expected");
        }
        int tag = b.getShort(0) & 0xFFFF;
        int channels = b.getShort(2) & 0xFFFF;
        int rate = b.getInt(4);
        int blockAlign = b.getShort(12) & 0xFFFF;
        int bits = b.getShort(14) & 0xFFFF;
        if (tag == TAG_EXTENSIBLE) {
            if (length < 40) {
                throw bad("WAVE_FORMAT_EXTENSIBLE fmt chunk of " + length + " bytes, 40 expected");
            }
            tag = b.getShort(24) & 0xFFFF; // the sub-format GUID starts with the format tag
        }
        if (channels < 1 || channels > MAX_CHANNELS) {
            throw bad(channels + " channels, 1 to " + MAX_CHANNELS + " can be read");
        }
        if (rate < 1) {
            throw bad("sample rate " + Integer.toUnsignedLong(rate) + " Hz");
        }
        boolean pcm = tag == TAG_PCM && (bits == 8 || bits == 16 || bits == 24 || bits == 32);
        boolean floating = tag == TAG_FLOAT && (bits == 32 || bits == 64);
        if (!pcm && !floating) {
            throw bad("unsupported sample format: format tag " + tag + ", " + bits
                    + " bits (use 8/16/24/32-bit PCM or 32/64-bit float)");
        }
        WavFormat f = new WavFormat(rate, channels, bits, floating);
        if (blockAlign != f.frameBytes()) {
            throw bad("block align " + blockAlign + " is not " + channels + " channels of " + bits + " bits");
        }
        return f;
    }

    public WavFormat format() {
        return format;
    }

    /** Frames in the data chunk (a trailing partial frame is not counted). */
    public long frames() {
        return frames;
    }

    /** Frames read or skipped so far. */
    public long position() {
        return position;
    }

    /** Passes over up to {@code n} frames without reading them. */
    public void skip(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot skip " + n + " frames");
        }
        position += Math.min(n, frames - position);
    }

    /**
     * The next {@code n} frames as interleaved floats in [-1, 1) (float files: as stored); fewer at the end of the
     * data, an empty array after it. Integer PCM is scaled by 2^-(bits-1), so every value maps exactly.
     */
    public float[] read(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("cannot read " + n + " frames");
        }
        long count = Math.min(n, frames - position);
        long samples = count * format.channels();
        if (samples > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(file + ": " + count + " frames do not fit one array; read fewer");
        }
        float[] out = new float[(int) samples];
        int sampleBytes = format.bits() / 8;
        ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES - BUFFER_BYTES % format.frameBytes()).order(ByteOrder.LITTLE_ENDIAN);
        long at = dataStart + position * format.frameBytes();
        for (int o = 0; o < out.length; ) {
            buf.clear().limit((int) Math.min(buf.capacity(), (long) (out.length - o) * sampleBytes));
            while (buf.hasRemaining()) {
                if (channel.read(buf, at + buf.position()) < 0) {
                    throw bad("truncated while reading (the file shrank)");
                }
            }
            at += buf.limit();
            buf.flip();
            o = decode(buf, out, o);
        }
        position += count;
        return out;
    }

    private int decode(ByteBuffer b, float[] out, int o) {
        while (b.hasRemaining()) {
            out[o++] = switch (format.bits()) {
                case 8 -> ((b.get() & 0xFF) - 128) / 128f; // 8-bit WAV is unsigned, 128 is zero
                case 16 -> b.getShort() / 32768f;
                case 24 -> {
                    int lo = b.get() & 0xFF, mid = b.get() & 0xFF, hi = b.get(); // hi keeps the sign
                    yield (hi << 16 | mid << 8 | lo) / 8388608f;
                }
                case 32 -> format.floating() ? b.getFloat() : (float) (b.getInt() / 2147483648.0);
                default -> (float) b.getDouble(); // 64-bit float
            };
        }
        return o;
    }

    private ByteBuffer readAt(long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && channel.read(b, at + b.position()) >= 0) {
            // read until full or at the end of the file
        }
        return b.flip();
    }

    private static String chunkName(ByteBuffer header) {
        StringBuilder s = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            char c = (char) (header.get(i) & 0xFF);
            s.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return "'" + s + "'";
    }

    private IOException bad(String what) {
        return new IOException(file + ": " + what);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
