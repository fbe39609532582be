package dev.segue.engine.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The entries of a zip archive located by reading its central directory directly. java.util.zip cannot tell
 * where an entry's bytes start, and torch stores tensors uncompressed precisely so they can be mapped in
 * place; ZIP64 is handled because checkpoints over 4 GB need it.
 */
final class ZipStoredEntries {
    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;

    /** One entry as the central directory records it; {@code localHeader} is where its local header starts. */
    record Entry(String name, int method, int flags, long compressedSize, long size, long localHeader) {
    }

    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final Map<String, Entry> entries;

    private ZipStoredEntries(Path file, FileChannel channel, long fileSize, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.fileSize = fileSize;
        this.entries = entries;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    static ZipStoredEntries read(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        int tailLength = (int) Math.min(size, 22 + 65535 + 20);
        ByteBuffer tail = readAt(channel, size - tailLength, tailLength);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--) {
            if (tail.getInt(i) == EOCD_SIG) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw fail(file, "zip end-of-central-directory record not found (file truncated?)");
        }
        long count = tail.getShort(eocd + 10) & 0xffff;
        long cdSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        if (eocd >= 20 && tail.getInt(eocd - 20) == ZIP64_LOCATOR_SIG) {
            long z64 = tail.getLong(eocd - 20 + 8);
            if (z64 < 0 || z64 > size - 56) {
                throw fail(file, "ZIP64 end-of-central-directory offset " + z64 + " lies outside the file");
            }
            ByteBuffer rec = readAt(channel, z64, 56);
            if (rec.getInt(0) != ZIP64_EOCD_SIG) {
                throw fail(file, "ZIP64 end-of-central-directory record missing at offset " + z64);
            }
            count = rec.getLong(32);
            cdSize = rec.getLong(40);
            cdOffset = rec.getLong(48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > size || cdSize > size - cdOffset) {
            throw fail(file, "zip central directory [" + cdOffset + ", +" + cdSize + ") lies outside the file of "
                    + size + " bytes (truncated?)");
        }
        if (cdSize > Integer.MAX_VALUE) {
            throw fail(file, "zip central directory of " + cdSize + " bytes is too large");
        }
        ByteBuffer cd = channel.map(FileChannel.MapMode.READ_ONLY, cdOffset, cdSize).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL_SIG) {
                throw fail(file, "zip central directory entry " + i + " is damaged");
            }
            int flags = cd.getShort(p + 8) & 0xffff;
            int method = cd.getShort(p + 10) & 0xffff;
            long comp = cd.getInt(p + 20) & 0xffffffffL;
            long uncomp = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long local = cd.getInt(p + 42) & 0xffffffffL;
            int end = p + 46 + nameLen + extraLen + commentLen;
            if (end > cd.limit()) {
                throw fail(file, "zip central directory entry " + i + " runs past the directory");
            }
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // ZIP64 extra field: only the fields saturated in the fixed header are present, in this order.
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xffff;
                int len = cd.getShort(x + 2) & 0xffff;
                int q = x + 4;
                if (q + len > xEnd) {
                    break;
                }
                if (id == 0x0001) {
                    if (uncomp == 0xffffffffL && q + 8 <= x + 4 + len) {
                        uncomp = cd.getLong(q);
                        q += 8;
                    }
                    if (comp == 0xffffffffL && q + 8 <= x + 4 + len) {
                        comp = cd.getLong(q);
                        q += 8;
                    }
                    if (local == 0xffffffffL && q + 8 <= x + 4 + len) {
                        local = cd.getLong(q);
                    }
                }
                x += 4 + len;
            }
            entries.put(name, new Entry(name, method, flags, comp, uncomp, local));
            p = end;
        }
        return new ZipStoredEntries(file, channel, size, entries);
    }

    /** Where the entry's (possibly compressed) bytes start, checked to lie inside the file. */
    long dataOffset(Entry e) throws IOException {
        if (e.localHeader() < 0 || e.localHeader() > fileSize - 30) {
            throw fail(file, "zip entry " + e.name() + " has its header outside the file (truncated?)");
        }
        ByteBuffer h = readAt(channel, e.localHeader(), 30);
        if (h.getInt(0) != LOCAL_SIG) {
            throw fail(file, "zip entry " + e.name() + " has no local header at offset " + e.localHeader());
        }
        long start = e.localHeader() + 30 + (h.getShort(26) & 0xffff) + (h.getShort(28) & 0xffff);
        if (e.compressedSize() < 0 || start > fileSize || e.compressedSize() > fileSize - start) {
            throw fail(file, "zip entry " + e.name() + " of " + e.compressedSize() + " bytes at offset " + start
                    + " runs past the end of the file (" + fileSize + " bytes; truncated?)");
        }
        return start;
    }

    /**
     * The entry's uncompressed bytes: mapped in place when stored, inflated into memory when deflated and no
     * larger than {@code maxInflated}.
     */
    ByteBuffer contents(Entry e, long maxInflated) throws IOException {
        if ((e.flags() & 1) != 0) {
            throw fail(file, "zip entry " + e.name() + " is encrypted");
        }
        long start = dataOffset(e);
        if (e.method() == STORED) {
            if (e.size() != e.compressedSize()) {
                throw fail(file, "stored zip entry " + e.name() + " has inconsistent sizes");
            }
            if (e.size() > Integer.MAX_VALUE) {
                throw fail(file, "zip entry " + e.name() + " is " + e.size() + " bytes; regions over 2 GB cannot be mapped");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, start, e.size()).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (e.method() != DEFLATED) {
            throw fail(file, "zip entry " + e.name() + " uses unsupported compression method " + e.method());
        }
        if (e.size() > maxInflated || e.compressedSize() > Integer.MAX_VALUE) {
            throw fail(file, "zip entry " + e.name() + " is compressed and " + e.size() + " bytes; only entries up to "
                    + maxInflated + " bytes are inflated in memory (torch writes entries uncompressed)");
        }
        ByteBuffer in = channel.map(FileChannel.MapMode.READ_ONLY, start, e.compressedSize());
        ByteBuffer out = ByteBuffer.allocateDirect((int) e.size()).order(ByteOrder.LITTLE_ENDIAN);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(in);
            while (out.hasRemaining() && !inflater.finished()) {
                if (inflater.inflate(out) == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
        } catch (DataFormatException ex) {
            throw new CheckpointException(file, null, "zip entry " + e.name() + " is corrupt: " + ex.getMessage(), ex);
        } finally {
            inflater.end();
        }
        if (out.hasRemaining()) {
            throw fail(file, "zip entry " + e.name() + " inflates to " + out.position() + " bytes, expected " + e.size());
        }
        return out.flip();
    }

    static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (channel.read(b, position + b.position()) < 0) {
                throw new java.io.EOFException("file ends at " + (position + b.position()));
            }
        }
        return b.flip();
    }

    private static CheckpointException fail(Path file, String problem) {
        return new CheckpointException(file, null, problem);
    }
}
