package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.nn.Embeddings;
import java.util.List;

/**
 * Artist and genre embeddings (the start token) and, for the top prior, the timing signal: embeddings of
 * the binned total length, absolute position and relative position of every token in the window. Bins are
 * computed in float32 arithmetic in the reference's operation order so that bin edges fall identically.
 */
final class LabelConditioner {
    private final NDArray artistEmb;
    private final NDArray genreEmb;
    private final NDArray totalLengthEmb;
    private final NDArray absolutePosEmb;
    private final NDArray relativePosEmb;
    private final PriorConfig config;
    private final int genreBins;
    private final int artistBins;

    LabelConditioner(WeightLoader w, PriorConfig config, boolean includeTimeSignal) {
        this.config = config;
        this.genreBins = config.yBins()[0];
        this.artistBins = config.yBins()[1];
        int width = config.width();
        this.genreEmb = w.floats("bow_genre_emb.emb.weight", genreBins, width);
        this.artistEmb = w.floats("artist_emb.emb.weight", artistBins, width);
        if (includeTimeSignal) {
            this.totalLengthEmb = w.floats("total_length_emb.emb.weight", config.tBins(), width);
            this.absolutePosEmb = w.floats("absolute_pos_emb.emb.weight", config.tBins(), width);
            this.relativePosEmb = w.floats("relative_pos_emb.emb.weight", config.tBins(), width);
        } else {
            this.totalLengthEmb = null;
            this.absolutePosEmb = null;
            this.relativePosEmb = null;
        }
    }

    boolean hasTimeSignal() {
        return totalLengthEmb != null;
    }

    /** (B, W): sum of the genre embeddings present plus the artist embedding. */
    NDArray startEmbedding(NDManager m, List<LabelRow> labels) {
        int b = labels.size();
        int g = config.maxBowGenreSize();
        long[] artists = new long[b];
        long[] genres = new long[b * g];
        float[] present = new float[b * g];
        for (int i = 0; i < b; i++) {
            LabelRow l = labels.get(i);
            if (l.artist() < 0 || l.artist() >= artistBins) {
                throw new IllegalArgumentException("artist id " + l.artist() + " outside 0.." + (artistBins - 1));
            }
            artists[i] = l.artist();
            for (int j = 0; j < g; j++) {
                int genre = l.genres()[j];
                if (genre >= genreBins) {
                    throw new IllegalArgumentException("genre id " + genre + " outside 0.." + (genreBins - 1));
                }
                genres[i * g + j] = Math.max(genre, 0);
                present[i * g + j] = genre >= 0 ? 1f : 0f;
            }
        }
        NDArray genreSum = Embeddings.lookup(genreEmb, m.create(genres, new Shape(b, g)))
                .mul(m.create(present, new Shape(b, g, 1))).sum(new int[] {1});
        return genreSum.add(Embeddings.lookup(artistEmb, m.create(artists)));
    }

    /** (B, nTime, W) timing embeddings for windows of {@code nTime} tokens. */
    NDArray timeSignal(NDManager m, List<LabelRow> labels, int nTime) {
        int b = labels.size();
        int bins = config.tBins();
        float sr = config.sampleRate();
        float totalMin = (float) (config.minDuration() * config.sampleRate());
        float totalMax = (float) (config.maxDuration() * config.sampleRate());
        long[] totalIdx = new long[b];
        long[] absIdx = new long[b * nTime];
        long[] relIdx = new long[b * nTime];
        for (int i = 0; i < b; i++) {
            LabelRow l = labels.get(i);
            float total = l.totalLength();
            float start = l.offset();
            float end = (float) (l.offset() + l.windowLength());
            if (!(total >= totalMin && total < totalMax)) {
                throw new IllegalArgumentException("total length " + l.totalLength() + " samples outside ["
                        + (long) totalMin + ", " + (long) totalMax + ")");
            }
            if (!(start >= 0 && start < totalMax && end <= totalMax)) {
                throw new IllegalArgumentException("window [" + l.offset() + ", " + (l.offset() + l.windowLength())
                        + ") outside [0, " + (long) totalMax + ")");
            }
            totalIdx[i] = bin(total, totalMin, (float) (config.maxDuration() * sr - config.minDuration() * sr), bins);
            float relStart = start / total;
            float relEnd = Math.min(Math.max(end / total, 0f), 1f);
            for (int t = 0; t < nTime; t++) {
                float interp = (float) t / (float) nTime;
                float absPos = start + (end - start) * interp;
                float relPos = relStart + (relEnd - relStart) * interp;
                absIdx[i * nTime + t] = bin(absPos, 0f, totalMax, bins);
                relIdx[i * nTime + t] = bin(relPos, 0f, 1f, bins);
            }
        }
        NDArray total = Embeddings.lookup(totalLengthEmb, m.create(totalIdx, new Shape(b, 1)));
        NDArray abs = Embeddings.lookup(absolutePosEmb, m.create(absIdx, new Shape(b, nTime)));
        NDArray rel = Embeddings.lookup(relativePosEmb, m.create(relIdx, new Shape(b, nTime)));
        return total.add(abs).add(rel);
    }

    /** floor(bins * (pos - min) / range) in float32, clamped to a valid row. */
    private static long bin(float pos, float min, float range, int bins) {
        float normalised = (pos - min) / range;
        long idx = (long) Math.floor(bins * normalised);
        return Math.min(Math.max(idx, 0), bins - 1);
    }
}
