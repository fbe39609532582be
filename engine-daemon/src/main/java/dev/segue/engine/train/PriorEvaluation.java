package dev.segue.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.prior.Conditioning;
import dev.segue.engine.prior.KvCache;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.prior.TeacherForcing;
import java.util.List;

/**
 * Cross-entropy of codes under a prior loaded for inference, through its chunked, cached forward
 * ({@link TeacherForcing}, the path sampling's prefill uses): the held-out figure that shows whether training learned the music or the clips.
 */
final class PriorEvaluation {
    private PriorEvaluation() {}

    /** Seconds at the head of each window that a beat-clocked prior's traits are measured on: a 4-bar prime. */
    private static final double HEAD_SECONDS = 8;

    /**
     * Mean nats per code over every whole window (from position 0, back to back) of every track.
     * {@code audio} (the tracks' audio, same order) is needed for a beat-clocked prior, else may be null;
     * {@code upper} (the codes of the level above, same order) for an upsampler, else null.
     */
    static double crossEntropy(NDManager root, Prior prior, List<long[]> tracks, List<float[]> audio,
                               List<long[]> upper) {
        int window = prior.config().nCtx();
        int chunk = Math.max(1, window / 8);
        if (prior.config().labels()) {
            throw new IllegalArgumentException("evaluation of priors with labels is not supported");
        }
        double total = 0;
        long count = 0;
        if (prior.hasBeatClock() && (audio == null || audio.size() != tracks.size())) {
            throw new IllegalArgumentException("a beat-clocked prior is scored with the audio of its codes");
        }
        if (prior.isUpsampler() && (upper == null || upper.size() != tracks.size())) {
            throw new IllegalArgumentException("an upsampler is scored with the codes of the level above");
        }
        int perUpper = prior.isUpsampler() ? window / prior.upperCodesPerWindow() : 1;
        int hop = (int) Math.round(prior.secondsPerToken() * prior.config().sampleRate());
        for (int k = 0; k < tracks.size(); k++) {
            long[] track = tracks.get(k);
            for (int offset = 0; offset + window <= track.length; offset += window) {
                try (NDManager m = root.newSubManager(); KvCache cache = prior.newCache(m, 1)) {
                    List<PrimeTraits.At> traits = null;
                    if (prior.hasBeatClock()) {
                        float[] a = audio.get(k);
                        int from = Math.min(a.length, offset * hop);
                        int to = Math.min(a.length, from + (int) (HEAD_SECONDS * prior.config().sampleRate()));
                        traits = List.of(PrimeTraits.measure(java.util.Arrays.copyOfRange(a, from, to),
                                prior.config().sampleRate()).at(0));
                    }
                    NDArray above = null;
                    if (prior.isUpsampler()) {
                        long[] u = java.util.Arrays.copyOfRange(upper.get(k), offset / perUpper,
                                offset / perUpper + prior.upperCodesPerWindow());
                        above = m.create(u, new Shape(1, u.length));
                    }
                    Conditioning cond = prior.condition(m, 1, null, above, traits);
                    int at = offset;
                    double[] nats = {0};
                    TeacherForcing.run(prior, m, cache, cond, new long[][] {track}, at, window, chunk, (start, c, logits) -> {
                        long[] target = java.util.Arrays.copyOfRange(track, at + start, at + start + c);
                        NDArray t = logits.getManager().create(target, new Shape(1, c, 1));
                        nats[0] += logits.logSoftmax(-1).gather(t, -1).neg().sum().getFloat();
                    });
                    total += nats[0];
                    count += window;
                }
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("no track holds a whole window of " + window + " codes");
        }
        return total / count;
    }
}
