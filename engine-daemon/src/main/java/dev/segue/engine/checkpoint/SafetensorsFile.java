package dev.segue.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file read tensor by tensor. Only the JSON header is parsed up front; each tensor's bytes
 * are memory-mapped on request, so a 10 GB checkpoint never has to fit in one Java array (DJL's
 * {@code NDList.decode} reads the whole file into a single {@code byte[]} and fails past 2 GB).
 */
public final class SafetensorsFile implements WeightStore {
    /** A header larger than this is not a checkpoint we wrote or the reference did; refuse it early. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private record Slot(DType dtype, long[] shape, long begin, long end) {}

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Slot> slots;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, Slot> slots,
                            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.slots = slots;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(path, null, "cannot open: " + e.getMessage(), e);
        }
        try {
            return parse(path, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel channel) {
        try {
            long size = channel.size();
            if (size < 8) {
                throw new CheckpointException(path, null, "truncated: " + size + " bytes, no safetensors header");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lenBuf, 0, path);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
                throw new CheckpointException(path, null, "header length " + headerLen
                        + " does not fit a file of " + size + " bytes (truncated or not safetensors)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(channel, header, 8, path);
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(header.array());
            } catch (IOException e) {
                throw new CheckpointException(path, null, "header is not valid JSON: " + e.getMessage(), e);
            }
            if (root == null || !root.isObject()) {
                throw new CheckpointException(path, null, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, Slot> slots = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey();
                JsonNode spec = field.getValue();
                if (name.equals("__metadata__")) {
                    spec.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                slots.put(name, slot(path, name, spec, dataLen));
            }
            return new SafetensorsFile(path, channel, dataStart, Collections.unmodifiableMap(slots),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new CheckpointException(path, null, "read failed: " + e.getMessage(), e);
        }
    }

    private static Slot slot(Path path, String name, JsonNode spec, long dataLen) {
        DType dtype = DType.fromSafetensors(spec.path("dtype").asText(""));
        if (dtype == null) {
            throw new CheckpointException(path, name, "unknown dtype '" + spec.path("dtype").asText() + "'");
        }
        JsonNode shapeNode = spec.path("shape");
        JsonNode offsets = spec.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new CheckpointException(path, name, "header entry lacks shape or data_offsets");
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        long bytes;
        try {
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong(-1);
                if (shape[i] < 0) {
                    throw new CheckpointException(path, name, "negative or non-integer dimension in shape");
                }
                count = Math.multiplyExact(count, shape[i]);
            }
            bytes = Math.multiplyExact(count, (long) dtype.bytes());
        } catch (ArithmeticException e) {
            throw new CheckpointException(path, name, "shape " + shapeNode + " is too large to be a tensor");
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin) {
            throw new CheckpointException(path, name, "bad data_offsets [" + begin + ", " + end + "]");
        }
        if (end > dataLen) {
            throw new CheckpointException(path, name, "data ends at byte " + end + " but the file holds only "
                    + dataLen + " data bytes (truncated file)");
        }
        if (end - begin != bytes) {
            throw new CheckpointException(path, name, "holds " + (end - begin) + " bytes but shape and dtype "
                    + dtype + " need " + bytes);
        }
        return new Slot(dtype, shape, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos, Path path) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos + dst.position());
            if (n < 0) {
                throw new CheckpointException(path, null, "truncated: unexpected end of file");
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing useful to report: the open already failed with a clearer error.
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Set<String> names() {
        return slots.keySet();
    }

    @Override
    public boolean contains(String name) {
        return slots.containsKey(name);
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public TensorEntry get(String name) {
        Slot slot = slots.get(name);
        if (slot == null) {
            throw new CheckpointException(path, name, "missing from the checkpoint");
        }
        long length = slot.end - slot.begin;
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointException(path, name, "single tensor over 2 GB is not supported");
        }
        try {
            ByteBuffer data = length == 0 ? ByteBuffer.allocate(0)
                    : channel.map(FileChannel.MapMode.READ_ONLY, dataStart + slot.begin, length);
            return new TensorEntry(name, slot.dtype, slot.shape, data, channel, dataStart + slot.begin);
        } catch (IOException e) {
            throw new CheckpointException(path, name, "cannot map tensor data: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
