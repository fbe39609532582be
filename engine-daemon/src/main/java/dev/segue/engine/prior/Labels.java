package dev.segue.engine.prior;

/**
 * The reference's label row for one sample: total length, offset and window length in samples, artist id,
 * then up to {@code max_bow_genre_size} genre ids padded with -1.
 */
public record Labels(long totalLength, long offset, long windowLength, int artist, int[] genres) {

    /**
     * One plausible label row for a prior that takes labels when the request names none: a minute-long
     * song, first quarter, artist 2, genre 1. Choosing artist and genre by name arrives with the label lists.
     */
    public static java.util.List<Labels> neutral(dev.segue.engine.config.PriorConfig c) {
        int[] genres = new int[c.maxBowGenreSize()];
        java.util.Arrays.fill(genres, -1);
        genres[0] = 1;
        long total = (long) (60 * c.sampleRate());
        return java.util.List.of(new Labels(total, 0, total / 4, 2, genres));
    }

    /** Parses one row laid out as the reference's {@code y} tensor. */
    public static Labels fromRow(long[] row, int maxBowGenreSize) {
        if (row.length != 4 + maxBowGenreSize) {
            throw new IllegalArgumentException("label row has " + row.length + " values, expected "
                    + (4 + maxBowGenreSize));
        }
        int[] genres = new int[maxBowGenreSize];
        for (int i = 0; i < maxBowGenreSize; i++) {
            genres[i] = Math.toIntExact(row[4 + i]);
        }
        return new Labels(row[0], row[1], row[2], Math.toIntExact(row[3]), genres);
    }
}
