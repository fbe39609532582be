package dev.segue.engine.checkpoint;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state dict in the zip layout {@code torch.save} uses: {@code archive/data/<key>} holds each tensor's
 * raw little-endian elements (stored, not compressed, starting on a 64-byte boundary as torch aligns them),
 * {@code archive/data.pkl} a protocol-2 pickle of {@code {'model': OrderedDict(name -> tensor), 'step': 0}} as
 * the reference's checkpoints hold it, and {@code archive/byteorder}, {@code archive/version}.
 *
 * <p>Tensors are streamed: each is written as it is added and only its name, dtype and shape are kept, so a
 * multi-gigabyte checkpoint never sits in memory. The file appears under its name only once complete (written to
 * {@code <name>.partial} and moved), so a crash leaves no half checkpoint behind.
 */
public final class TorchCheckpointWriter implements AutoCloseable {
    private static final String PREFIX = "archive/";
    private static final int ALIGN = 64;
    /** torch's padding extra-field id ("FB"). */
    private static final int PAD_ID = 0x4246;

    private record Written(String name, DType dtype, long[] shape, String key) {
    }

    private final Path file;
    private final Path partial;
    private final Counting counted;
    private final ZipOutputStream zip;
    private final List<Written> written = new ArrayList<>();
    private final Set<String> names = new LinkedHashSet<>();
    private long bytes;
    private boolean closed;

    private TorchCheckpointWriter(Path file) throws IOException {
        this.file = file;
        this.partial = file.resolveSibling(file.getFileName() + ".partial");
        this.counted = new Counting(new BufferedOutputStream(Files.newOutputStream(partial), 1 << 20));
        this.zip = new ZipOutputStream(counted);
    }

    public static TorchCheckpointWriter create(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            return new TorchCheckpointWriter(file);
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot write: " + e.getMessage(), e);
        }
    }

    /** Bytes of tensor data written so far. */
    public long tensorBytes() {
        return bytes;
    }

    /**
     * Appends one tensor. {@code data} holds its elements, little-endian, contiguous (row-major for
     * {@code shape}), from its position to its limit; it is read, not kept.
     */
    public void add(String name, DType dtype, long[] shape, ByteBuffer data) {
        if (closed) {
            throw new IllegalStateException("checkpoint " + file + " is already closed");
        }
        if (names.contains(name)) {
            throw new IllegalArgumentException(name + " is added twice to " + file);
        }
        long numel = 1;
        for (long d : shape) {
            numel = Math.multiplyExact(numel, d);
        }
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() != numel * dtype.bytes()) {
            throw new IllegalArgumentException(name + ": " + b.remaining() + " bytes for " + numel + " elements of "
                    + dtype);
        }
        names.add(name);
        String key = Integer.toString(written.size());
        try {
            CRC32 crc = new CRC32();
            crc.update(b.duplicate());
            ZipEntry entry = stored(PREFIX + "data/" + key, b.remaining(), crc.getValue());
            zip.putNextEntry(entry);
            WritableByteChannel out = Channels.newChannel(zip);
            while (b.hasRemaining()) {
                out.write(b);
            }
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": writing " + name, e);
        }
        bytes += numel * dtype.bytes();
        written.add(new Written(name, dtype, shape.clone(), key));
    }

    /** Writes the pickle and the archive's directory, then moves the file into place. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            put("data.pkl", pickle());
            put("byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            put("version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.close();
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": finishing the checkpoint", e);
        }
    }

    /** Closes and deletes an unfinished file (after an error while adding tensors). */
    public void abandon() {
        closed = true;
        try {
            zip.close();
        } catch (IOException ignored) {
            // the partial file is deleted next
        }
        try {
            Files.deleteIfExists(partial);
        } catch (IOException ignored) {
            // a stray .partial is ignored by every reader
        }
    }

    private void put(String name, byte[] data) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(data);
        zip.putNextEntry(stored(PREFIX + name, data.length, crc.getValue()));
        zip.write(data);
        zip.closeEntry();
    }

    /** A stored entry whose data starts on a 64-byte boundary: the local header's extra field pads it. */
    private ZipEntry stored(String name, long size, long crc) {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(size);
        e.setCompressedSize(size);
        e.setCrc(crc);
        // Java adds a ZIP64 field to the local header only for sizes >= 4 GiB; then alignment is not kept.
        long dataStart = counted.count + 30 + name.getBytes(StandardCharsets.UTF_8).length + 4;
        int pad = (int) ((ALIGN - dataStart % ALIGN) % ALIGN);
        byte[] extra = new byte[4 + pad];
        extra[0] = (byte) (PAD_ID & 0xff);
        extra[1] = (byte) (PAD_ID >>> 8);
        extra[2] = (byte) pad;
        extra[3] = 0;
        e.setExtra(extra);
        return e;
    }

    /** {'model': OrderedDict(name -> _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())), 'step': 0}. */
    private byte[] pickle() {
        Pickler p = new Pickler();
        p.op(0x80).op(2).op('}').op('(').str("model").global("collections", "OrderedDict").op(')').op('R').op('(');
        for (Written w : written) {
            p.str(w.name);
            p.global("torch._utils", "_rebuild_tensor_v2").op('(');
            p.op('(').str("storage").global("torch", storageClass(w.dtype)).str(w.key).str("cpu")
                    .integer(numel(w.shape)).op('t').op('Q');
            p.integer(0).ints(w.shape).ints(strides(w.shape)).op(0x89)
                    .global("collections", "OrderedDict").op(')').op('R');
            p.op('t').op('R');
        }
        p.op('u').str("step").integer(0).op('u').op('.');
        return p.out.toByteArray();
    }

    private static String storageClass(DType t) {
        return switch (t) {
            case F32 -> "FloatStorage";
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            case F64 -> "DoubleStorage";
            case I64 -> "LongStorage";
            case I32 -> "IntStorage";
            case I16 -> "ShortStorage";
            case I8 -> "CharStorage";
            case U8 -> "ByteStorage";
            case BOOL -> "BoolStorage";
        };
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long step = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = step;
            step *= shape[i];
        }
        return s;
    }

    /** The few pickle opcodes a state dict needs, as torch's pickler (protocol 2) emits them. */
    private static final class Pickler {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickler op(int code) {
            out.write(code);
            return this;
        }

        Pickler str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        Pickler global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        /** BININT for 32-bit values, else LONG1 with the value's 8 little-endian bytes. */
        Pickler integer(long v) {
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                op('J');
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            } else {
                op(0x8a).op(8);
                out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            }
            return this;
        }

        Pickler ints(long[] values) {
            op('(');
            for (long v : values) {
                integer(v);
            }
            return op('t');
        }
    }

    /** Counts bytes written, so each entry's data offset (and its padding) is known before it is written. */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
