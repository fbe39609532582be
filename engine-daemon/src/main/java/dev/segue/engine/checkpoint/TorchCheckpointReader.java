package dev.segue.engine.checkpoint;

import dev.segue.engine.checkpoint.TorchPickleUnpickler.PyInstance;
import dev.segue.engine.checkpoint.TorchPickleUnpickler.StorageRef;
import dev.segue.engine.checkpoint.TorchPickleUnpickler.TensorRef;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.razorvine.pickle.PickleException;

/**
 * Reads the tensors of a PyTorch checkpoint ({@code torch.save} output, legacy or zip) without Python, so the
 * published {@code .pth.tar} files can be used as they are. Only metadata is read at open; each tensor's bytes
 * are memory-mapped when asked for, so multi-gigabyte checkpoints cost no heap.
 *
 * <p>About 570 lines because the two formats share everything past the container (the pickled object graph,
 * the storages, the tensor views) and differ only in where the bytes lie; one reader keeps the checks a
 * hostile file meets in one place.
 */
public final class TorchCheckpointReader implements WeightStore {

    /**
     * An instance of a Python class the reader does not model, as found in the hyper-parameters: kept rather than
     * rejected because a checkpoint's weights must stay loadable whatever else its author pickled beside them.
     */
    public record OpaqueObject(String className, List<Object> args, Map<Object, Object> items,
                               List<Object> listItems, Object state) {
    }

    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    private static final long MAX_INFLATED = 512L << 20;

    /** Where a storage's bytes lie: a file range to map, or (for a deflated zip entry) an entry to inflate. */
    private record StorageData(long fileOffset, long length, ZipStoredEntries.Entry deflated) {
    }

    private record TensorMeta(String name, StorageRef storage, DType dtype, long[] shape, long[] stride,
                              long firstElement, long extentElements, boolean contiguous) {
    }

    private final Path file;
    private final FileChannel channel;
    private final ZipStoredEntries zip;
    private final Map<String, TensorMeta> tensors;
    private final Set<String> names;
    private final Map<String, StorageData> storageData;
    private final Map<String, Object> hyperParameters;
    private final Map<String, ByteBuffer> inflated = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private TorchCheckpointReader(Path file, FileChannel channel, ZipStoredEntries zip,
                                  Map<String, TensorMeta> tensors, Map<String, StorageData> storageData,
                                  Map<String, Object> hyperParameters) {
        this.file = file;
        this.channel = channel;
        this.zip = zip;
        this.tensors = tensors;
        this.names = Collections.unmodifiableSet(new LinkedHashSet<>(tensors.keySet()));
        this.storageData = storageData;
        this.hyperParameters = hyperParameters;
    }

    /** Reads the checkpoint's metadata; a {@link CheckpointException} naming the file if it cannot be used. */
    public static TorchCheckpointReader open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file, null, "cannot open: " + brief(e), e);
        }
        try {
            return read(file, channel);
        } catch (CheckpointException e) {
            closeQuietly(channel, e);
            throw e;
        } catch (TorchPickleUnpickler.TruncatedPickleException e) {
            closeQuietly(channel, e);
            throw new CheckpointException(file, null, "truncated: " + e.getMessage(), e);
        } catch (TorchPickleUnpickler.UnsupportedStorageException e) {
            closeQuietly(channel, e);
            throw new CheckpointException(file, null, e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // EOF inside a pickle, a pickle that builds the wrong shapes of objects, a header read past the
            // end: all mean the file is damaged or not what it claims to be.
            closeQuietly(channel, e);
            throw new CheckpointException(file, null, "truncated or corrupt: " + brief(e), e);
        }
    }

    /** A cause fit for a one-line message: garbage input can put arbitrary bytes into a parser's complaint. */
    private static String brief(Throwable e) {
        String text = e.getMessage() == null ? "" : e.getMessage();
        StringBuilder sb = new StringBuilder(e.getClass().getSimpleName()).append(": ");
        for (int i = 0; i < text.length() && sb.length() < 160; i++) {
            char c = text.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.length() > 160 ? sb.append("...").toString() : sb.toString();
    }

    private static TorchCheckpointReader read(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer head = ZipStoredEntries.readAt(channel, 0, (int) Math.min(size, 512));
        if (size >= 4 && head.getInt(0) == 0x04034b50) {
            return readZip(file, channel);
        }
        if (size >= 262 && new String(head.array(), 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            throw new CheckpointException(file, null, "tar-format torch checkpoint (torch < 0.4) is not supported");
        }
        return readLegacy(file, channel, size);
    }

    // Legacy layout: magic, protocol, sys_info, object, storage keys (all pickles), then for each key an int64
    // element count and the raw elements. The pickles are parsed from one mapping of the file's start.
    private static TorchCheckpointReader readLegacy(Path file, FileChannel channel, long size) throws IOException {
        if (size == 0) {
            throw new CheckpointException(file, null, "file is empty");
        }
        ByteBuffer pickles = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE))
                .order(ByteOrder.LITTLE_ENDIAN);
        Map<String, StorageRef> referenced = new LinkedHashMap<>();
        TorchPickleUnpickler unpickler = new TorchPickleUnpickler(ref -> remember(file, referenced, ref));

        Object magic;
        try {
            magic = unpickler.loadFrom(pickles);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file, null, "not a torch checkpoint: neither a zip archive nor a legacy"
                    + " torch file (" + brief(e) + ")", e);
        }
        boolean integral = magic instanceof BigInteger || magic instanceof Long || magic instanceof Integer;
        if (!integral || !new BigInteger(magic.toString()).equals(LEGACY_MAGIC)) {
            throw new CheckpointException(file, null, "not a torch checkpoint: bad magic number");
        }
        Object protocol = unpickler.loadFrom(pickles);
        if (!(protocol instanceof Number p) || p.longValue() != LEGACY_PROTOCOL) {
            throw new CheckpointException(file, null, "unsupported legacy torch protocol version " + protocol);
        }
        Object sysInfo = unpickler.loadFrom(pickles);
        if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new CheckpointException(file, null, "written on a big-endian machine; not supported");
        }
        Object root = unpickler.loadFrom(pickles);
        Object keys = unpickler.loadFrom(pickles);
        if (!(keys instanceof List<?> keyList)) {
            throw new CheckpointException(file, null, "storage key list is a "
                    + TorchPickleUnpickler.describe(keys) + ", not a list");
        }

        Map<String, StorageData> data = new LinkedHashMap<>();
        long pos = pickles.position();
        for (Object k : keyList) {
            String key = String.valueOf(k);
            StorageRef ref = referenced.get(key);
            if (ref == null) {
                throw new CheckpointException(file, null, "storage " + key + " is listed but never referenced,"
                        + " so its element size is unknown");
            }
            if (pos > size - 8) {
                throw new CheckpointException(file, null, "truncated: the header of storage " + key + " at offset "
                        + pos + " lies past the end of the file (" + size + " bytes)");
            }
            long count = ZipStoredEntries.readAt(channel, pos, 8).getLong(0);
            long bytes;
            try {
                bytes = Math.multiplyExact(count, (long) ref.dtype().bytes());
            } catch (ArithmeticException e) {
                bytes = -1;
            }
            if (count < 0 || bytes < 0) {
                throw new CheckpointException(file, null, "storage " + key + " declares an impossible size " + count);
            }
            long start = pos + 8;
            if (bytes > size - start) {
                throw new CheckpointException(file, null, "truncated: storage " + key + " declares " + bytes
                        + " bytes at offset " + start + " but the file ends at " + size);
            }
            if (count < ref.storedNumel()) {
                throw new CheckpointException(file, null, "storage " + key + " holds " + count
                        + " elements, shorter than the " + ref.storedNumel() + " the pickle declares");
            }
            if (data.put(key, new StorageData(start, bytes, null)) != null) {
                throw new CheckpointException(file, null, "storage " + key + " is listed twice");
            }
            pos = start + bytes;
        }
        for (String key : referenced.keySet()) {
            if (!data.containsKey(key)) {
                throw new CheckpointException(file, null, "storage " + key + " is referenced but not stored");
            }
        }
        return build(file, channel, null, root, data);
    }

    private static TorchCheckpointReader readZip(Path file, FileChannel channel) throws IOException {
        ZipStoredEntries zip = ZipStoredEntries.read(file, channel);
        ZipStoredEntries.Entry pkl = null;
        for (ZipStoredEntries.Entry e : zip.entries().values()) {
            boolean match = e.name().equals("data.pkl") || e.name().endsWith("/data.pkl");
            if (match && (pkl == null || e.name().length() < pkl.name().length())) {
                pkl = e;
            }
        }
        if (pkl == null) {
            throw new CheckpointException(file, null, "zip archive without data.pkl: not a torch checkpoint");
        }
        String prefix = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
        ZipStoredEntries.Entry order = zip.entries().get(prefix + "byteorder");
        if (order != null && order.size() < 16) {
            ByteBuffer b = zip.contents(order, MAX_INFLATED);
            byte[] text = new byte[b.remaining()];
            b.get(text);
            if (new String(text, StandardCharsets.US_ASCII).trim().equals("big")) {
                throw new CheckpointException(file, null, "written with big-endian byte order; not supported");
            }
        }
        Map<String, StorageRef> referenced = new LinkedHashMap<>();
        TorchPickleUnpickler unpickler = new TorchPickleUnpickler(ref -> remember(file, referenced, ref));
        Object root = unpickler.loadFrom(zip.contents(pkl, MAX_INFLATED));

        Map<String, StorageData> data = new LinkedHashMap<>();
        for (StorageRef ref : referenced.values()) {
            ZipStoredEntries.Entry e = zip.entries().get(prefix + "data/" + ref.key());
            if (e == null) {
                throw new CheckpointException(file, null, "storage " + ref.key() + " is referenced but the archive"
                        + " has no entry " + prefix + "data/" + ref.key());
            }
            long declared = Math.multiplyExact(ref.storedNumel(), (long) ref.dtype().bytes());
            if (e.size() < declared) {
                throw new CheckpointException(file, null, "storage " + ref.key() + " holds " + e.size()
                        + " bytes, shorter than the " + declared + " its " + ref.storedNumel() + " elements need");
            }
            if (e.method() == ZipStoredEntries.STORED) {
                data.put(ref.key(), new StorageData(zip.dataOffset(e), e.size(), null));
            } else {
                if (e.size() > MAX_INFLATED) {
                    throw new CheckpointException(file, null, "storage entry " + e.name() + " is compressed and "
                            + e.size() + " bytes; only entries up to " + MAX_INFLATED + " bytes are inflated");
                }
                zip.dataOffset(e);
                data.put(ref.key(), new StorageData(-1, e.size(), e));
            }
        }
        return build(file, channel, zip, root, data);
    }

    private static void remember(Path file, Map<String, StorageRef> referenced, StorageRef ref) {
        StorageRef known = referenced.putIfAbsent(ref.key(), ref);
        if (known != null && (known.dtype() != ref.dtype() || known.storedNumel() != ref.storedNumel())) {
            throw new CheckpointException(file, null, "storage " + ref.key() + " is referenced both as "
                    + known.typeName() + "[" + known.storedNumel() + "] and as " + ref.typeName() + "["
                    + ref.storedNumel() + "]");
        }
    }

    private static TorchCheckpointReader build(Path file, FileChannel channel, ZipStoredEntries zip, Object root,
                                               Map<String, StorageData> data) {
        Map<?, ?> stateDict = findStateDict(root);
        if (stateDict == null) {
            String what = root instanceof Map<?, ?> m ? "a dict with keys " + m.keySet()
                    : "a " + TorchPickleUnpickler.describe(root);
            throw new CheckpointException(file, null, "no state dict found: the checkpoint holds " + what
                    + " (expected a 'model' entry or a dict of tensors)");
        }
        Map<String, TensorMeta> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : stateDict.entrySet()) {
            String rawName = String.valueOf(e.getKey());
            String name = rawName.startsWith("module.") ? rawName.substring("module.".length()) : rawName;
            if (e.getValue() instanceof TensorRef t) {
                TensorMeta meta = describeTensor(file, name, t, data);
                if (tensors.put(name, meta) != null) {
                    throw new CheckpointException(file, name, "appears twice once 'module.' prefixes are removed");
                }
            } else if (e.getValue() instanceof PyInstance o && o.className.startsWith("torch")) {
                throw new CheckpointException(file, name, "is a " + o.className + ", a tensor kind this reader"
                        + " does not support (quantized, sparse or meta tensors)");
            }
            // Anything else (a Python int or string someone tucked into the state dict) is not a weight.
        }
        if (tensors.isEmpty()) {
            throw new CheckpointException(file, null, "no state dict found: the state dict holds no tensors");
        }
        Object hps = root instanceof Map<?, ?> m ? m.get("hps") : null;
        return new TorchCheckpointReader(file, channel, zip, Collections.unmodifiableMap(tensors), data,
                hyperParametersOf(hps));
    }

    private static Map<?, ?> findStateDict(Object root) {
        if (!(root instanceof Map<?, ?> top)) {
            return null;
        }
        for (String key : new String[] {"model", "state_dict"}) {
            if (top.get(key) instanceof Map<?, ?> sd && sd.values().stream().anyMatch(v -> v instanceof TensorRef)) {
                return sd;
            }
        }
        if (!top.isEmpty() && top.values().stream().allMatch(v -> v instanceof TensorRef)) {
            return top;
        }
        return null;
    }

    private static TensorMeta describeTensor(Path file, String name, TensorRef t, Map<String, StorageData> data) {
        long[] shape = t.size();
        long[] stride = t.stride();
        if (shape.length != stride.length) {
            throw new CheckpointException(file, name, "has " + shape.length + " sizes but " + stride.length + " strides");
        }
        long numel = 1;
        long last = 0;
        try {
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0 || stride[i] < 0) {
                    throw new CheckpointException(file, name, "has a negative size or stride: size "
                            + Arrays.toString(shape) + ", stride " + Arrays.toString(stride));
                }
                numel = Math.multiplyExact(numel, shape[i]);
                if (shape[i] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, name, "has a size or stride too large to address: size "
                    + Arrays.toString(shape) + ", stride " + Arrays.toString(stride));
        }
        StorageRef s = t.storage();
        DType dtype = s.dtype();
        if (t.offset() < 0) {
            throw new CheckpointException(file, name, "has a negative storage offset " + t.offset());
        }
        long extent = numel == 0 ? 0 : last + 1;
        if (numel > 0 && (t.offset() > s.numel() || extent > s.numel() - t.offset())) {
            throw new CheckpointException(file, name, "offset " + t.offset() + " with size " + Arrays.toString(shape)
                    + " and stride " + Arrays.toString(stride) + " reaches element " + (t.offset() + extent)
                    + ", past the end of its storage of " + s.numel() + " elements");
        }
        long limit = Integer.MAX_VALUE / dtype.bytes();
        if (numel > limit || extent > limit) {
            throw new CheckpointException(file, name, "spans more than 2 GB, which cannot be mapped as one buffer");
        }
        StorageData sd = data.get(s.key());
        if (sd == null) {
            throw new CheckpointException(file, name, "refers to storage " + s.key() + ", which is not stored");
        }
        return new TensorMeta(name, s, dtype, shape, stride, s.offset() + t.offset(), extent,
                isContiguous(shape, stride));
    }

    private static boolean isContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 0) {
                return true;
            }
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    @Override
    public Path path() {
        return file;
    }

    @Override
    public Set<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * The {@code 'hps'} entry as JDK values: maps, lists (for tuples too), Integer/Long/BigInteger, Double,
     * Boolean, String, byte[], null, and {@link OpaqueObject} for instances of other classes. Empty when absent.
     */
    public Map<String, Object> hyperParameters() {
        return hyperParameters;
    }

    @Override
    public TensorEntry get(String name) {
        TensorMeta meta = tensors.get(name);
        if (meta == null) {
            throw new CheckpointException(file, name, "no such tensor in the checkpoint");
        }
        if (closed) {
            throw new CheckpointException(file, name, "the checkpoint reader is closed");
        }
        int esize = meta.dtype().bytes();
        try {
            ByteBuffer region = region(meta, meta.firstElement() * esize, meta.extentElements() * esize);
            if (meta.contiguous()) {
                StorageData sd = storageData.get(meta.storage().key());
                return sd.deflated() == null && region.capacity() > 0
                        ? new TensorEntry(name, meta.dtype(), meta.shape(), region, channel,
                                sd.fileOffset() + meta.firstElement() * esize)
                        : new TensorEntry(name, meta.dtype(), meta.shape(), region);
            }
            return new TensorEntry(name, meta.dtype(), meta.shape(), gather(meta, region));
        } catch (IOException | RuntimeException e) {
            if (e instanceof CheckpointException ce) {
                throw ce;
            }
            throw new CheckpointException(file, name, "cannot read tensor data: " + brief(e), e);
        }
    }

    /** The bytes [from, from + length) of the tensor's storage, mapped (or sliced from an inflated entry). */
    private ByteBuffer region(TensorMeta meta, long from, long length) throws IOException {
        StorageData sd = storageData.get(meta.storage().key());
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (sd.deflated() != null) {
            ByteBuffer whole = inflated.computeIfAbsent(meta.storage().key(), k -> {
                try {
                    return zip.contents(sd.deflated(), MAX_INFLATED);
                } catch (IOException e) {
                    throw new CheckpointException(file, meta.name(), "cannot inflate storage: " + e, e);
                }
            });
            return whole.duplicate().position((int) from).limit((int) (from + length)).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, sd.fileOffset() + from, length)
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Copies a strided view into row-major order; {@code region} starts at the view's first element. */
    private static ByteBuffer gather(TensorMeta meta, ByteBuffer region) {
        long[] shape = meta.shape();
        long[] stride = meta.stride();
        int esize = meta.dtype().bytes();
        long numel = 1;
        for (long d : shape) {
            numel *= d;
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) (numel * esize)).order(ByteOrder.LITTLE_ENDIAN);
        if (numel == 0) {
            return out;
        }
        byte[] element = new byte[esize];
        long[] index = new long[shape.length];
        long src = 0;
        for (long n = 0; n < numel; n++) {
            region.get((int) (src * esize), element);
            out.put(element);
            // Odometer over the multi-index, last dimension fastest, tracking the source element as we go.
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    src += stride[d];
                    break;
                }
                src -= (shape[d] - 1) * stride[d];
                index[d] = 0;
            }
        }
        return out.flip();
    }

    @Override
    public void close() {
        closed = true;
        inflated.clear();
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing was written; a failed close of a read-only channel loses nothing.
        }
    }

    private static void closeQuietly(FileChannel channel, Exception primary) {
        try {
            channel.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    // Hyper-parameters are handed out detached from the unpickler's types, so callers see only JDK values.
    private static Map<String, Object> hyperParametersOf(Object hps) {
        Map<?, ?> source = null;
        if (hps instanceof Map<?, ?> m) {
            source = m;
        } else if (hps instanceof PyInstance o) {
            // A dict subclass (jukebox's Hyperparams) keeps its entries as items; a plain object in its state.
            source = !o.items.isEmpty() ? o.items : o.state instanceof Map<?, ?> s ? s : null;
        }
        if (source == null) {
            return Map.of();
        }
        IdentityHashMap<Object, Object> seen = new IdentityHashMap<>();
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : source.entrySet()) {
            out.put(String.valueOf(plain(e.getKey(), seen)), plain(e.getValue(), seen));
        }
        return Collections.unmodifiableMap(out);
    }

    private static Object plain(Object o, IdentityHashMap<Object, Object> seen) {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean) {
            return o;
        }
        Object done = seen.get(o);
        if (done != null) {
            return done;
        }
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            Object result = Collections.unmodifiableMap(copy);
            seen.put(o, result);
            m.forEach((k, v) -> copy.put(plain(k, seen), plain(v, seen)));
            return result;
        }
        if (o instanceof Object[] || o instanceof Iterable<?>) {
            List<Object> copy = new ArrayList<>();
            Object result = Collections.unmodifiableList(copy);
            seen.put(o, result);
            for (Object item : o instanceof Object[] a ? Arrays.asList(a) : (Iterable<?>) o) {
                copy.add(plain(item, seen));
            }
            return result;
        }
        if (o instanceof PyInstance p) {
            List<Object> args = new ArrayList<>();
            Map<Object, Object> items = new LinkedHashMap<>();
            List<Object> listItems = new ArrayList<>();
            OpaqueObject result = new OpaqueObject(p.className, Collections.unmodifiableList(args),
                    Collections.unmodifiableMap(items), Collections.unmodifiableList(listItems), null);
            // Registered before recursing so an object reachable from itself ends instead of looping.
            seen.put(o, result);
            p.args.forEach(a -> args.add(plain(a, seen)));
            p.items.forEach((k, v) -> items.put(plain(k, seen), plain(v, seen)));
            p.listItems.forEach(a -> listItems.add(plain(a, seen)));
            Object state = plain(p.state, seen);
            if (state == null) {
                return result;
            }
            OpaqueObject withState = new OpaqueObject(p.className, result.args(), result.items(),
                    result.listItems(), state);
            seen.put(o, withState);
            return withState;
        }
        if (o instanceof TensorRef t) {
            return new OpaqueObject("torch.Tensor", List.of(t.storage().dtype().name(),
                    Arrays.stream(t.size()).boxed().toList()), Map.of(), List.of(), null);
        }
        if (o instanceof byte[] || o instanceof Character) {
            return o;
        }
        return String.valueOf(o);
    }
}
