package dev.segue.engine.eval;

import dev.segue.engine.analysis.Chroma;
import java.util.ArrayList;
import java.util.List;

/**
 * The musical rows, read the same way for every rendering of a clip's continuation: whether its tempo is the
 * DAW's (the clip's composed tempo), the share of its onset strength on the DAW's beat grid ({@link GridOnsets}),
 * whether its key is the composed key, and its harmonic motion. Set side by side (the sketch tier's take, the
 * draft tier's, and the true continuation through each tier's codec), they tell what a tier adds from what its
 * codec allows.
 */
public final class TierRows {
    /** One rendering's rows, averaged over the clips. */
    public record Row(String what, double tempo, double onsets, double key, double motion, int clips) {}

    private final List<String> names;
    private final List<List<Coherence.Features>> features = new ArrayList<>();
    private final double[] onsetSums;
    private final int[] onsetCounts;
    private final List<Double> bpms = new ArrayList<>();
    private final List<Chroma.EstimatedKey> keys = new ArrayList<>();

    /** @param names the renderings, in the order {@link #add} takes them */
    TierRows(List<String> names) {
        this.names = List.copyOf(names);
        for (int i = 0; i < names.size(); i++) {
            features.add(new ArrayList<>());
        }
        onsetSums = new double[names.size()];
        onsetCounts = new int[names.size()];
    }

    /**
     * One clip: each rendering of its continuation (the order of the names), the DAW's tempo and one beat of its
     * grid relative to the continuation's start, and the composed key.
     */
    void add(List<float[]> renderings, int sampleRate, double bpm, double beatSeconds, Chroma.EstimatedKey key) {
        if (renderings.size() != names.size()) {
            throw new IllegalArgumentException("expected " + names.size() + " renderings, got " + renderings.size());
        }
        for (int k = 0; k < names.size(); k++) {
            float[] audio = renderings.get(k);
            features.get(k).add(Coherence.Features.of(audio, sampleRate));
            double share = GridOnsets.share(audio, sampleRate, bpm, beatSeconds);
            if (!Double.isNaN(share)) {
                onsetSums[k] += share;
                onsetCounts[k]++;
            }
        }
        bpms.add(bpm);
        keys.add(key);
    }

    /** The rows, or an empty list before two clips (the composed rows need two). */
    List<Row> rows() {
        int n = bpms.size();
        if (n < 2) {
            return List.of();
        }
        double[] bpm = bpms.stream().mapToDouble(Double::doubleValue).toArray();
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            Coherence.Composed c = Coherence.againstComposed(features.get(k), bpm, keys);
            rows.add(new Row(names.get(k), c.tempoMatched(),
                    onsetCounts[k] == 0 ? Double.NaN : onsetSums[k] / onsetCounts[k], c.keyMatched(),
                    Coherence.meanMotion(features.get(k)), n));
        }
        return rows;
    }
}
