package dev.segue.engine.train;

import java.util.List;
import java.util.Random;

/** Random fixed-length segments of a set of tracks, each track chosen in proportion to its length. */
final class Segments {
    private final List<float[]> tracks;
    private final int length;
    private final long[] cumulative;

    Segments(List<float[]> tracks, int length) {
        this.tracks = tracks.stream().filter(t -> t.length >= length).toList();
        if (this.tracks.isEmpty()) {
            throw new IllegalArgumentException("no training track is at least " + length + " samples long");
        }
        this.length = length;
        this.cumulative = new long[this.tracks.size()];
        long sum = 0;
        for (int i = 0; i < this.tracks.size(); i++) {
            sum += this.tracks.get(i).length - length + 1;
            cumulative[i] = sum;
        }
    }

    /** {@code batch} segments laid out one after another (batch * length floats). */
    float[] batch(Random random, int batch) {
        float[] out = new float[batch * length];
        long total = cumulative[cumulative.length - 1];
        for (int b = 0; b < batch; b++) {
            long pick = (long) (random.nextDouble() * total);
            int track = 0;
            while (cumulative[track] <= pick) {
                track++;
            }
            long offset = pick - (track == 0 ? 0 : cumulative[track - 1]);
            System.arraycopy(tracks.get(track), (int) offset, out, b * length, length);
        }
        return out;
    }

    String describe() {
        long samples = 0;
        for (float[] t : tracks) {
            samples += t.length;
        }
        return tracks.size() + " tracks, " + samples + " samples";
    }
}
