package dev.segue.engine.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight matrix laid out for the CPU decoding step: outputs in blocks of four vectors (64 floats with
 * AVX-512), each block stored input by input ([block][in][64]), so a matrix-vector product streams memory strictly in order and keeps a block's outputs
 * per candidate in registers while every weight vector it loads feeds up to four candidates (row-by-row
 * dot products with a horizontal sum per output were clearly slower in development measurements).
 * Outputs past the last full block are kept row-major and done as dot products.
 */
public final class BlockedMatrix implements StepMatrix {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Four vectors of outputs: 64 with AVX-512, 32 with AVX2. */
    public static final int BLOCK = 4 * S.length();

    final float[] blocked;
    final float[] tailRows;
    final float[] bias;
    final int in;
    final int out;
    final int fullBlocks;

    /** From a row-major (out, in) matrix and an optional bias of length out. */
    public BlockedMatrix(float[] rowMajor, float[] bias, int in, int out) {
        if (rowMajor.length != in * out || (bias != null && bias.length != out)) {
            throw new IllegalArgumentException("matrix of " + rowMajor.length + " values is not " + out + " x " + in);
        }
        this.in = in;
        this.out = out;
        this.bias = bias;
        this.fullBlocks = out / BLOCK;
        this.blocked = new float[fullBlocks * BLOCK * in];
        for (int b = 0; b < fullBlocks; b++) {
            for (int i = 0; i < in; i++) {
                int dst = (b * in + i) * BLOCK;
                for (int j = 0; j < BLOCK; j++) {
                    blocked[dst + j] = rowMajor[(b * BLOCK + j) * in + i];
                }
            }
        }
        int tail = out - fullBlocks * BLOCK;
        this.tailRows = new float[tail * in];
        System.arraycopy(rowMajor, fullBlocks * BLOCK * in, tailRows, 0, tail * in);
    }

    @Override
    public void matVec(float[] x, float[] y, int count, int from, int to) {
        VectorMath.matVec(this, x, y, count, from, to);
    }

    @Override
    public int in() {
        return in;
    }

    @Override
    public int out() {
        return out;
    }

    /** Work units for {@link RowParallel}: one per full block, plus one for the remaining rows. */
    @Override
    public int units() {
        return fullBlocks + (tailRows.length > 0 ? 1 : 0);
    }

    @Override
    public long bytes() {
        return 4L * (blocked.length + tailRows.length + (bias == null ? 0 : bias.length));
    }
}
