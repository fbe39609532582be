package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.segue.engine.checkpoint.WeightLoader;
import java.util.List;

/**
 * The beat clock: a Segue extension of the top prior (config {@code beat_clock}), in the place Jukebox's
 * timing labels take. Each position gets a linear projection of {@link PrimeTraits} features: the phase of
 * the beat and of the bar at that position's time, the tempo, and the prime's pitch-class profile. The
 * result is added to every token's input and output, as the timing signal is. Positions the same phase
 * apart then share features, so attention can find the position one beat back without first working out
 * the tempo from the codes.
 */
final class BeatClockConditioner {
    private final NDArray weight;
    private final NDArray bias;
    private final double secondsPerPosition;

    BeatClockConditioner(WeightLoader w, int width, double secondsPerPosition) {
        this.weight = w.floats("weight", width, PrimeTraits.FEATURES);
        this.bias = w.floats("bias", width);
        this.secondsPerPosition = secondsPerPosition;
    }

    /** (B, positions, W) for one placed traits row per window of the batch. */
    NDArray forward(NDManager m, List<PrimeTraits.At> rows, int positions) {
        int f = PrimeTraits.FEATURES;
        float[] features = new float[rows.size() * positions * f];
        float[] one = new float[positions * f];
        for (int b = 0; b < rows.size(); b++) {
            PrimeTraits.At at = rows.get(b);
            at.traits().features(at.startSeconds(), secondsPerPosition, positions, one);
            System.arraycopy(one, 0, features, b * one.length, one.length);
        }
        NDArray x = m.create(features, new Shape(rows.size(), positions, f));
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }
}
