package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;

/** Row lookup in an embedding table, attached to the indices' manager so request tensors never land on the model's. */
public final class Embeddings {
    private Embeddings() {}

    /** indices (...) int64, table (rows, width) to (..., width). */
    public static NDArray lookup(NDArray table, NDArray indices) {
        return indices.getNDArrayInternal().embedding(indices, table, SparseFormat.DENSE).singletonOrThrow();
    }
}
