package dev.segue.engine.nn;

/**
 * A weight matrix as the CPU step kernel multiplies by it: y[n] = W x[n] (+ bias) for up to a few inputs
 * at once, split into work units that {@link RowParallel} spreads over cores. {@link BlockedMatrix} holds
 * fp32 weights in a Java array; {@link HalfMatrix} holds bf16/fp16 weights off-heap, shared with libtorch.
 */
public interface StepMatrix {
    int in();

    int out();

    /** Work units: the unit of {@link #matVec}'s range. Unit u covers outputs from u * BlockedMatrix.BLOCK. */
    int units();

    /** Bytes one product reads (weights, bias, scales): what bounds a memory-bound step. */
    long bytes();

    /** y (count, out) = W x (count, in) (+ bias) over work units [from, to). */
    void matVec(float[] x, float[] y, int count, int from, int to);
}
