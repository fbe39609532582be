package dev.segue.engine.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * The unpickler for torch checkpoints. Globals are resolved per instance rather than through
 * {@link Unpickler#registerConstructor}, whose registry is JVM-wide and would leak torch handling into every
 * other pickle the process reads. Dicts are kept ordered (razorvine uses HashMaps, which would lose the
 * state-dict order), any class we do not know becomes an {@link PyInstance} instead of failing, and
 * length-prefixed opcodes are checked against the bytes left so a damaged file cannot ask for a 2 GB array.
 */
final class TorchPickleUnpickler extends Unpickler {

    /** A storage as a tensor sees it: a window of {@code numel} elements at {@code offset} into a stored one. */
    record StorageRef(String key, DType dtype, String typeName, long storedNumel, long offset, long numel) {
    }

    /** A tensor as the pickle describes it; the bytes are found later, once the storages are located. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    /** A storage class global such as {@code torch.FloatStorage}; dtype is null for ones we cannot read. */
    record StorageType(String qualifiedName, DType dtype) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("cannot construct " + qualifiedName + " directly");
        }
    }

    /** An instance of a class we do not model, kept with whatever the pickle gave it so nothing is lost. */
    static final class PyInstance {
        final String className;
        final List<Object> args;
        final Map<Object, Object> items = new LinkedHashMap<>();
        final List<Object> listItems = new ArrayList<>();
        Object state;

        PyInstance(String className, List<Object> args) {
            this.className = className;
            this.args = args;
        }

        @Override
        public String toString() {
            return className + "(...)";
        }
    }

    /** An unknown global; calling it yields an {@link PyInstance}. */
    record PyClass(String qualifiedName) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            return new PyInstance(qualifiedName, args == null ? List.of() : Collections.unmodifiableList(
                    new ArrayList<>(java.util.Arrays.asList(args))));
        }
    }

    /** Tells the caller about each storage the pickle refers to, and may reject it. */
    interface StorageSink {
        void referenced(StorageRef storage);
    }

    /** A pickle that ends before it should; reported as truncation rather than as corruption. */
    static final class TruncatedPickleException extends PickleException {
        TruncatedPickleException(String message) {
            super(message);
        }
    }

    private static final Map<String, DType> STORAGE_DTYPES = Map.of(
            "FloatStorage", DType.F32, "HalfStorage", DType.F16, "BFloat16Storage", DType.BF16,
            "DoubleStorage", DType.F64, "LongStorage", DType.I64, "IntStorage", DType.I32,
            "ShortStorage", DType.I16, "CharStorage", DType.I8, "ByteStorage", DType.U8,
            "BoolStorage", DType.BOOL);

    private final StorageSink sink;
    private ByteBuffer source;

    TorchPickleUnpickler(StorageSink sink) {
        this.sink = sink;
    }

    /** Reads one pickle starting at the buffer's position and leaves the position just after its STOP. */
    Object loadFrom(ByteBuffer buffer) throws IOException {
        source = buffer.order(ByteOrder.LITTLE_ENDIAN);
        return load(new ByteBufferInput(buffer));
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolveGlobal(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw new PickleException("STACK_GLOBAL needs two strings");
                }
                stack.add(resolveGlobal(m, n));
                return NO_RETURN_VALUE;
            }
            case Opcodes.EMPTY_DICT -> {
                stack.add(new LinkedHashMap<Object, Object>());
                return NO_RETURN_VALUE;
            }
            case Opcodes.DICT -> {
                List<Object> items = stack.pop_all_since_marker();
                Map<Object, Object> map = new LinkedHashMap<>();
                putPairs(map, items);
                stack.add(map);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEM -> {
                Object value = stack.pop();
                Object k = stack.pop();
                dictOf(stack.peek()).put(k, value);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS -> {
                List<Object> items = stack.pop_all_since_marker();
                putPairs(dictOf(stack.peek()), items);
                return NO_RETURN_VALUE;
            }
            case Opcodes.APPEND -> {
                Object value = stack.pop();
                listOf(stack.peek()).add(value);
                return NO_RETURN_VALUE;
            }
            case Opcodes.APPENDS -> {
                List<Object> values = stack.pop_all_since_marker();
                listOf(stack.peek()).addAll(values);
                return NO_RETURN_VALUE;
            }
            case Opcodes.BUILD -> {
                Object state = stack.pop();
                Object target = stack.peek();
                if (target instanceof PyInstance o) {
                    o.state = state;
                    return NO_RETURN_VALUE;
                }
                if (target instanceof Map<?, ?> || target instanceof TensorRef || target instanceof List<?>) {
                    // An OrderedDict's instance attributes (the state dict's _metadata): not weights.
                    return NO_RETURN_VALUE;
                }
                stack.add(state);
                return super.dispatch(key);
            }
            case Opcodes.BINSTRING, Opcodes.BINBYTES, Opcodes.BINUNICODE, Opcodes.LONG4 -> requireLength(4);
            case Opcodes.BINUNICODE8, Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> requireLength(8);
            default -> {
            }
        }
        return super.dispatch(key);
    }

    /** Fails when the length field of the opcode just read promises more bytes than the pickle has left. */
    private void requireLength(int fieldBytes) {
        int pos = source.position();
        if (source.remaining() < fieldBytes) {
            throw new TruncatedPickleException("pickle ends inside a length field at byte " + pos);
        }
        long length = fieldBytes == 4 ? source.getInt(pos) & 0xffffffffL : source.getLong(pos);
        if (length < 0 || length > source.remaining() - fieldBytes) {
            throw new TruncatedPickleException("pickle asks for " + Long.toUnsignedString(length)
                    + " bytes at byte " + pos + " but only " + (source.remaining() - fieldBytes) + " remain");
        }
    }

    private static void putPairs(Map<Object, Object> map, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new PickleException("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dictOf(Object target) {
        if (target instanceof PyInstance o) {
            return o.items;
        }
        if (target instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new PickleException("cannot set items on " + describe(target));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> listOf(Object target) {
        if (target instanceof PyInstance o) {
            return o.listItems;
        }
        if (target instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new PickleException("cannot append to " + describe(target));
    }

    static String describe(Object o) {
        return o == null ? "None" : o instanceof PyInstance oo ? oo.className : o.getClass().getSimpleName();
    }

    private Object resolveGlobal(String module, String name) {
        String qualified = module + "." + name;
        switch (qualified) {
            case "collections.OrderedDict":
                return (IObjectConstructor) TorchPickleUnpickler::orderedDict;
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                return (IObjectConstructor) TorchPickleUnpickler::rebuildTensor;
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                // A Parameter is its tensor plus requires_grad; only the tensor matters for inference.
                return (IObjectConstructor) args -> args.length > 0 ? args[0] : null;
            case "copyreg._reconstructor":
            case "copy_reg._reconstructor":
                return (IObjectConstructor) TorchPickleUnpickler::reconstruct;
            default:
                break;
        }
        if ((module.equals("torch") || module.equals("torch.cuda")) && name.endsWith("Storage")) {
            return new StorageType(qualified, STORAGE_DTYPES.get(name));
        }
        if (module.equals("torch.storage") && name.endsWith("Storage")) {
            return new StorageType(qualified, null);
        }
        IObjectConstructor known = module.startsWith("torch") ? null : objectConstructors.get(qualified);
        return known != null ? known : new PyClass(qualified);
    }

    private static Object orderedDict(Object[] args) {
        Map<Object, Object> map = new LinkedHashMap<>();
        // Protocols 0/1 pass the items as a list of pairs; protocol 2 adds them afterwards with SETITEMS.
        if (args.length > 0 && args[0] instanceof List<?> pairs) {
            for (Object pair : pairs) {
                if (!(pair instanceof Object[] kv) || kv.length != 2) {
                    throw new PickleException("OrderedDict item is not a pair");
                }
                map.put(kv[0], kv[1]);
            }
        }
        return map;
    }

    private static Object reconstruct(Object[] args) {
        if (args.length < 1 || !(args[0] instanceof IObjectConstructor cls)) {
            throw new PickleException("copyreg._reconstructor without a class");
        }
        return cls.construct(new Object[0]);
    }

    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4) {
            throw new PickleException("tensor rebuilt from " + args.length + " arguments, expected at least 4");
        }
        if (!(args[0] instanceof StorageRef storage)) {
            throw new PickleException("tensor data is a " + describe(args[0])
                    + ", not a storage reference (was it pickled without torch.save?)");
        }
        return new TensorRef(storage, toLong(args[1], "storage offset"), toLongs(args[2], "size"),
                toLongs(args[3], "stride"));
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] t) || t.length < 5 || !"storage".equals(t[0])) {
            throw new PickleException("unsupported persistent id " + describe(pid)
                    + " (expected a ('storage', type, key, location, numel) tuple)");
        }
        String typeName;
        DType dtype;
        if (t[1] instanceof StorageType st) {
            typeName = st.qualifiedName();
            dtype = st.dtype();
            if (dtype == null) {
                throw new UnsupportedStorageException("storage type " + typeName + " is not supported"
                        + (typeName.contains("Untyped") ? " (untyped storages carry no dtype; save the state"
                                + " dict with tensors of a single dtype per storage, e.g. an older torch.save)" : ""));
            }
        } else {
            throw new UnsupportedStorageException("unknown storage type " + describe(t[1]));
        }
        if (!(t[2] instanceof String key)) {
            throw new PickleException("storage key is a " + describe(t[2]) + ", not a string");
        }
        long numel = toLong(t[4], "storage size");
        if (numel < 0) {
            throw new PickleException("storage " + key + " has a negative size " + numel);
        }
        StorageRef ref = new StorageRef(key, dtype, typeName, numel, 0, numel);
        // Legacy files may describe a view into a larger storage: (view_key, offset, view_size).
        if (t.length > 5 && t[5] instanceof Object[] view && view.length >= 3) {
            long offset = toLong(view[1], "storage view offset");
            long size = toLong(view[2], "storage view size");
            if (offset < 0 || size < 0 || offset > numel || size > numel - offset) {
                throw new PickleException("storage view [" + offset + ", +" + size + ") lies outside storage "
                        + key + " of " + numel + " elements");
            }
            ref = new StorageRef(key, dtype, typeName, numel, offset, size);
        }
        sink.referenced(ref);
        return ref;
    }

    /** A storage type the reader cannot decode; surfaced as its own message rather than "corrupt pickle". */
    static final class UnsupportedStorageException extends PickleException {
        UnsupportedStorageException(String message) {
            super(message);
        }
    }

    static long toLong(Object o, String what) {
        if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            return ((Number) o).longValue();
        }
        if (o instanceof java.math.BigInteger b && b.bitLength() < 64) {
            return b.longValue();
        }
        throw new PickleException(what + " is " + describe(o) + ", not an integer");
    }

    static long[] toLongs(Object o, String what) {
        List<?> list;
        if (o instanceof Object[] a) {
            list = java.util.Arrays.asList(a);
        } else if (o instanceof List<?> l) {
            list = l;
        } else {
            throw new PickleException(what + " is " + describe(o) + ", not a tuple");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toLong(list.get(i), what);
        }
        return out;
    }

    /** An InputStream over a buffer whose position the caller reads back to learn where the pickle ended. */
    private static final class ByteBufferInput extends InputStream {
        private final ByteBuffer buffer;

        ByteBufferInput(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public int read() {
            return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!buffer.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buffer.remaining());
            buffer.get(b, off, n);
            return n;
        }
    }
}
