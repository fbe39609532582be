package dev.segue.engine.nn;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/** Freeing intermediates as a layer chain goes, so large activations are not all held until a scope closes. */
public final class Tensors {
    private Tensors() {}

    /**
     * {@code op} applied to {@code x}, then {@code x} closed, unless {@code op} handed it back unchanged. Only for an
     * {@code x} the caller owns: closing it frees its memory now (libtorch keeps what autograd still needs).
     */
    public static NDArray consume(NDArray x, UnaryOperator<NDArray> op) {
        NDArray y = op.apply(x);
        if (y != x) {
            x.close();
        }
        return y;
    }
}
