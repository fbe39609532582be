package dev.segue.engine.train;

import java.nio.file.Path;

/**
 * One training stage's settings. {@code steps} sets the schedule; {@code stopAtStep} (0 = none) ends the
 * run earlier on that schedule, which is how a run cut by {@code maxMinutes} is reproduced exactly.
 * {@code out} receives the resumable state ({@code <stage>.state.safetensors}),
 * the metrics ({@code metrics.jsonl}) and the model files in the fixture layout.
 */
record StageOptions(Path out, long steps, int batch, double learningRate, long seed, int checkpointEvery,
                    int logEvery, boolean fresh, double maxMinutes, long stopAtStep) {
    StageOptions {
        if (steps < 0 || batch < 1 || batch > 256 || !(learningRate > 0 && learningRate < 1) || checkpointEvery < 1
                || logEvery < 1 || maxMinutes < 0 || stopAtStep < 0) {
            throw new IllegalArgumentException("training options out of range: steps >= 0, batch 1..256, "
                    + "learning rate in (0, 1), intervals >= 1, minutes >= 0");
        }
    }

    /** Whether the stage may take another step from {@code step}: below both the total and the stop step. */
    boolean continues(long step) {
        return step < steps && (stopAtStep == 0 || step < stopAtStep);
    }

    /**
     * Learning rate at {@code step}: linear warm-up over the first 2% of steps (at least 10), then a linear
     * decay to a tenth at the last step (short runs end noticeably lower with the decay than flat).
     */
    double learningRateAt(long step) {
        long warmup = Math.max(10, steps / 50);
        if (step < warmup) {
            return learningRate * (step + 1) / warmup;
        }
        double progress = Math.min(1.0, (double) (step - warmup) / Math.max(1, steps - warmup));
        return learningRate * (1.0 - 0.9 * progress);
    }
}
