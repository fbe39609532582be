package dev.segue.engine.checkpoint;

import java.nio.file.Path;
import java.util.Set;

/**
 * A read-only set of named tensors from one checkpoint file (safetensors or a torch .pth.tar). The model
 * code asks for tensors by their reference state-dict names and never cares which format they came from.
 */
public interface WeightStore extends AutoCloseable {
    Path path();

    Set<String> names();

    boolean contains(String name);

    /** The named tensor; a {@link CheckpointException} naming the file and tensor when it is absent. */
    TensorEntry get(String name);

    /**
     * The named tensor when the caller knows the shape it needs. Files ignore the hint (the loader checks
     * it); generated stores use it to make weights for any config.
     */
    default TensorEntry get(String name, long[] expectedShape) {
        return get(name);
    }

    @Override
    void close();
}
