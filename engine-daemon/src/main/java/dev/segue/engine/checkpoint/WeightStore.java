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

    @Override
    void close();
}
