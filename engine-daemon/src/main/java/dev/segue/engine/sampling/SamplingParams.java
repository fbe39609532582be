package dev.segue.engine.sampling;

/**
 * How tokens are drawn: temperature, then top-k and/or nucleus (top-p) filtering, from a seeded generator
 * so a seed reproduces a take exactly. top-k = 1 is greedy decoding.
 */
public record SamplingParams(double temperature, int topK, double topP, long seed) {
    public SamplingParams {
        if (!(temperature > 0 && temperature <= 10)) {
            throw new IllegalArgumentException("temperature must be in (0, 10], got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in [0, 1] (0 = off), got " + topP);
        }
    }

    public static SamplingParams greedy() {
        return new SamplingParams(1.0, 1, 0.0, 0);
    }
}
