package dev.segue.engine.conformance;

import dev.segue.engine.monitor.Monitor;
import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.Conditioning;
import dev.segue.engine.prior.KvCache;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.prior.TeacherForcing;
import dev.segue.engine.sampling.PrimedSampler;
import dev.segue.engine.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Conformance of a lyrics-conditioned top prior ({@code KEY.y} carries the lyric tokens after the labels):
 * teacher-forced logits (over the joint lyrics-and-music sequence for single_enc_dec, over the music codes
 * for sep_enc_dec), the reference's combined loss in bits, and the greedy continuation of a music prime.
 */
final class LyricsPriorChecks {
    /** Queries per teacher-forced chunk: bounds the (queries x keys) score matrix for large contexts. */
    private static final int TEACHER_FORCED_CHUNK = 1024;

    private final Consumer<Verdict> record;
    private final WeightFormat format;

    LyricsPriorChecks(Consumer<Verdict> record, WeightFormat format) {
        this.record = record;
        this.format = format;
    }

    void check(NDManager root, ModelConfig config, PriorConfig pc, Path file, SafetensorsFile cases, String key,
               String label) {
        try (WeightStore store = Checkpoints.open(file); NDManager m = root.newSubManager();
             Prior prior = new Prior(pc, config.vqvae(), store, m, format)) {
            int batch = (int) cases.get(key + ".z").shape()[0];
            long[][] music = Compare.rows(cases.get(key + ".z").toLongs(), batch);
            long[][] y = Compare.rows(cases.get(key + ".y").toLongs(), batch);
            List<LabelRow> labels = new ArrayList<>();
            for (long[] row : y) {
                labels.add(LabelRow.fromRow(row, pc.maxBowGenreSize(), pc.nTokens()));
            }
            long[][] sequence = new long[batch][];
            for (int i = 0; i < batch; i++) {
                sequence[i] = prior.lyricPrefix() > 0 ? prior.jointSequence(labels.get(i).lyrics(), music[i]) : music[i];
            }
            int n = sequence[0].length;
            float[] logits = new float[batch * n * prior.bins()];
            float[] lyricLogits;
            try (NDManager step = m.newSubManager()) {
                Conditioning cond = prior.condition(step, batch, labels, null);
                try (KvCache cache = prior.newCache(step, batch)) {
                    TeacherForcing.run(prior, step, cache, cond, sequence, 0, n, TEACHER_FORCED_CHUNK, (start, c, out) -> {
                        float[] part = out.toFloatArray();
                        for (int i = 0; i < batch; i++) {
                            System.arraycopy(part, i * c * prior.bins(), logits, (i * n + start) * prior.bins(),
                                    c * prior.bins());
                        }
                    });
                }
                lyricLogits = prior.lyricPrefix() > 0 ? null : prior.lyricsLogits(cond).toFloatArray();
            }
            float[] reference = cases.get(key + ".logits").toFloats();
            LogitTolerance tol = LogitTolerance.of(format, pc, reference);
            double err = Compare.maxAbsError(logits, reference);
            record.accept(new Verdict(label + " teacher-forced logits", err <= tol.value(),
                    String.format("max abs error %.3e (%s)", err, tol.describe())));
            if (cases.contains(key + ".loss_bits")) {
                double bits = lossBits(prior, pc, sequence, logits, labels, lyricLogits);
                double expected = cases.get(key + ".loss_bits").toFloats()[0];
                double diff = Math.abs(bits - expected);
                record.accept(new Verdict(label + " loss (bits)", diff <= tol.lossBits(),
                        String.format("%.6f vs %.6f, error %.3e (tolerance %.3e)", bits, expected, diff, tol.lossBits())));
            }
            if (cases.contains(key + ".greedy.prime")) {
                checkGreedy(m, prior, cases, key, label, batch, labels, tol);
            }
        }
    }

    /**
     * The reference's loss: prime_loss_fraction * lyrics loss * n_tokens / total + music loss * n_ctx / total,
     * total = n_tokens + n_ctx, each part a mean cross-entropy in bits.
     */
    private static double lossBits(Prior prior, PriorConfig pc, long[][] sequence, float[] logits, List<LabelRow> labels,
                                   float[] lyricLogits) {
        int batch = sequence.length;
        int n = sequence[0].length;
        int lyricsLen = pc.nTokens();
        int musicLen = pc.nCtx();
        CrossEntropy lyrics = new CrossEntropy();
        CrossEntropy music = new CrossEntropy();
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < n; t++) {
                boolean isLyric = t < prior.lyricPrefix();
                (isLyric ? lyrics : music).add(logits, (i * n + t) * prior.bins(), prior.bins(), sequence[i][t]);
            }
            if (lyricLogits != null) {
                int[] tokens = labels.get(i).lyrics();
                int vocab = prior.lyricVocab();
                for (int t = 0; t < lyricsLen; t++) {
                    lyrics.add(lyricLogits, (i * lyricsLen + t) * vocab, vocab, tokens[t]);
                }
            }
        }
        double total = lyricsLen + musicLen;
        return pc.lyrics().primeLossFraction() * lyrics.meanBits() * lyricsLen / total
                + music.meanBits() * musicLen / total;
    }

    private void checkGreedy(NDManager m, Prior prior, SafetensorsFile cases, String key, String label, int batch,
                             List<LabelRow> labels, LogitTolerance tol) {
        long[][] prime = Compare.rows(cases.get(key + ".greedy.prime").toLongs(), batch);
        long[] expected = cases.get(key + ".greedy.tokens").toLongs();
        int musicTotal = expected.length / batch;
        int prefix = prior.lyricPrefix();
        long[][] primes = new long[batch][];
        for (int i = 0; i < batch; i++) {
            primes[i] = prefix > 0 ? prior.jointSequence(labels.get(i).lyrics(), prime[i]) : prime[i];
        }
        int chunk = Math.max(1, prior.config().nCtx() / 8);
        int total = prefix + musicTotal;
        int bins = prior.bins();
        boolean withLogits = cases.contains(key + ".greedy.logits");
        float[] pathLogits = withLogits ? new float[batch * total * bins] : null;
        Monitor recorder = !withLogits ? Monitor.NONE : new Monitor() {
            @Override
            public boolean wantsLogits() {
                return true;
            }

            @Override
            public void logits(int level, int position, int count, float[] values) {
                for (int i = 0; i < batch; i++) {
                    System.arraycopy(values, i * count * bins, pathLogits, (i * total + position) * bins, count * bins);
                }
            }
        };
        long[][] tokens = new PrimedSampler(prior).sample(m, new PrimedSampler.Request(primes, batch, total, labels,
                null, SamplingParams.greedy(), chunk), recorder);
        long[] musicCodes = new long[batch * musicTotal];
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < musicTotal; t++) {
                musicCodes[i * musicTotal + t] = prefix > 0 ? prior.musicCode(tokens[i][prefix + t]) : tokens[i][t];
            }
        }
        // Music codes are compared; the path logits cover the joint sequence, lyric positions first.
        GreedyAgreement agreement = new GreedyAgreement(musicCodes, expected, batch, pathLogits, bins, tol,
                LogitTolerance.rounds(format), prefix, prefix > 0 ? prior.lyricVocab() : 0);
        record.accept(agreement.tokenCheck(label + " greedy continuation tokens"));
        if (withLogits) {
            record.accept(agreement.logitCheck(label + " greedy prefill+cached-step logits",
                    cases.get(key + ".greedy.logits").toFloats()));
        }
    }

    /** Running mean cross-entropy in bits, in double precision. */
    private static final class CrossEntropy {
        private double sum;
        private long count;

        void add(float[] logits, int off, int bins, long target) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < bins; i++) {
                max = Math.max(max, logits[off + i]);
            }
            double z = 0;
            for (int i = 0; i < bins; i++) {
                z += Math.exp(logits[off + i] - max);
            }
            sum += Math.log(z) + max - logits[off + (int) target];
            count++;
        }

        double meanBits() {
            return count == 0 ? 0 : sum / count / Math.log(2);
        }
    }
}
