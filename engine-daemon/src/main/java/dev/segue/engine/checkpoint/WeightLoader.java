package dev.segue.engine.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Moves tensors from a {@link WeightStore} onto the model's device, checking each shape against what the
 * config says it must be. A config that does not match the weights fails here, naming file and tensor,
 * instead of surfacing later as a shape error deep inside a matmul.
 */
public final class WeightLoader {
    private final WeightStore store;
    private final NDManager manager;
    private final String prefix;
    /** Non-null in training mode: every parameter created is recorded here. */
    private final ParameterSet training;
    /** What precision the large matrices are held in; training always holds fp32. */
    private final WeightFormat format;

    /** An inference loader holding every matrix in fp32 (as the engine did before half precision). */
    public WeightLoader(WeightStore store, NDManager manager) {
        this(store, manager, "", null, WeightFormat.FP32);
    }

    /** An inference loader holding the large matrices as {@code format} says (see {@link #matrix}). */
    public WeightLoader(WeightStore store, NDManager manager, WeightFormat format) {
        this(store, manager, "", null, format);
    }

    /**
     * A loader for training when {@code training} is non-null: parameters are recorded there, and layers
     * keep them in the stored layout (no load-time folding or re-layout) so gradients reach them.
     */
    public WeightLoader(WeightStore store, NDManager manager, ParameterSet training) {
        this(store, manager, "", training, WeightFormat.FP32);
    }

    /** With {@code training} null, an inference loader holding the large matrices as {@code format} says. */
    public WeightLoader(WeightStore store, NDManager manager, ParameterSet training, WeightFormat format) {
        this(store, manager, "", training, training != null ? WeightFormat.FP32 : format);
    }

    private WeightLoader(WeightStore store, NDManager manager, String prefix, ParameterSet training,
                         WeightFormat format) {
        this.store = store;
        this.manager = manager;
        this.prefix = prefix;
        this.training = training;
        this.format = format == null ? WeightFormat.FP32 : format;
    }

    /** A loader whose names are relative to {@code prefix + "."}. */
    public WeightLoader child(String name) {
        return new WeightLoader(store, manager, prefix + name + ".", training, format);
    }

    public WeightFormat format() {
        return format;
    }

    /**
     * The element type a large matrix stored as {@code stored} is held in: always F32 in training, else
     * as the format says. Matrices held in F16 or BF16 are built by {@code nn.HalfMatrix.from}.
     */
    public DType held(DType stored) {
        return training != null ? DType.F32 : format.held(stored);
    }

    /** The manager this loader creates the model's tensors in. */
    public NDManager manager() {
        return manager;
    }

    /** True when the model is built for training; layers then skip inference-only re-layouts. */
    public boolean training() {
        return training != null;
    }

    /** The training parameter set, or null for inference. */
    public ParameterSet parameters() {
        return training;
    }

    public boolean has(String name) {
        return store.contains(prefix + name);
    }

    /** The tensor as float32 on the model's device; fp16/bf16 parts are upcast exactly. */
    public NDArray floats(String name, long... expectedShape) {
        TensorEntry entry = entry(name, expectedShape);
        if (!entry.dtype().isFloating()) {
            throw new CheckpointException(store.path(), entry.name(), "expected a float tensor, found " + entry.dtype());
        }
        NDArray array;
        if (entry.dtype() == DType.F32) {
            array = manager.create(entry.data(), new Shape(expectedShape), DataType.FLOAT32);
        } else {
            float[] values = entry.toFloats();
            ByteBuffer buf = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder());
            buf.asFloatBuffer().put(values);
            array = manager.create(buf, new Shape(expectedShape), DataType.FLOAT32);
        }
        if (training != null) {
            // DJL wraps a direct buffer without copying; a file's buffer is a read-only mapping, which the
            // optimizer's in-place updates must not write to, so training takes its own copy.
            NDArray owned = array.duplicate();
            array.close();
            array = owned;
            training.add(prefix + name, array);
        }
        array.setName(entry.name());
        return array;
    }

    /** Raw entry with its shape checked; for callers that keep data on the Java side. */
    public TensorEntry entry(String name, long... expectedShape) {
        String full = prefix + name;
        TensorEntry entry = store.get(full, expectedShape);
        if (!Arrays.equals(entry.shape(), expectedShape)) {
            throw new CheckpointException(store.path(), full, "shape " + Arrays.toString(entry.shape())
                    + " does not match the config, which needs " + Arrays.toString(expectedShape));
        }
        return entry;
    }

    public WeightStore store() {
        return store;
    }

}
