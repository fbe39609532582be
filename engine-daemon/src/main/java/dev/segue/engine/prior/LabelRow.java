package dev.segue.engine.prior;

/**
 * The reference's label row for one sample: total length, offset and window length in samples, artist id,
 * then up to {@code max_bow_genre_size} genre ids padded with -1, then (lyrics priors) the window's
 * {@code n_tokens} lyric tokens, or null for an instrumental prior.
 */
public record LabelRow(long totalLength, long offset, long windowLength, int artist, int[] genres, int[] lyrics) {

    public LabelRow(long totalLength, long offset, long windowLength, int artist, int[] genres) {
        this(totalLength, offset, windowLength, artist, genres, null);
    }

    /** The same labels with the window's lyric tokens. */
    public LabelRow withLyrics(int[] tokens) {
        return new LabelRow(totalLength, offset, windowLength, artist, genres, tokens.clone());
    }

    /**
     * One plausible label row for a prior that takes labels when the request names none: a minute-long
     * song, first quarter, artist 2, genre 1. Choosing artist and genre by name arrives with the label lists.
     */
    public static java.util.List<LabelRow> neutral(dev.segue.engine.config.PriorConfig c) {
        int[] genres = new int[c.maxBowGenreSize()];
        java.util.Arrays.fill(genres, -1);
        genres[0] = 1;
        long total = (long) (60 * c.sampleRate());
        return java.util.List.of(new LabelRow(total, 0, total / 4, 2, genres));
    }

    /** Parses one row laid out as the reference's {@code y} tensor, without lyric tokens. */
    public static LabelRow fromRow(long[] row, int maxBowGenreSize) {
        return fromRow(row, maxBowGenreSize, 0);
    }

    /** Parses one row laid out as the reference's {@code y} tensor: labels, then {@code nTokens} lyric tokens. */
    public static LabelRow fromRow(long[] row, int maxBowGenreSize, int nTokens) {
        if (row.length != 4 + maxBowGenreSize + nTokens) {
            throw new IllegalArgumentException("label row has " + row.length + " values, expected "
                    + (4 + maxBowGenreSize + nTokens));
        }
        int[] genres = new int[maxBowGenreSize];
        for (int i = 0; i < maxBowGenreSize; i++) {
            genres[i] = Math.toIntExact(row[4 + i]);
        }
        int[] lyrics = null;
        if (nTokens > 0) {
            lyrics = new int[nTokens];
            for (int i = 0; i < nTokens; i++) {
                lyrics[i] = Math.toIntExact(row[4 + maxBowGenreSize + i]);
            }
        }
        return new LabelRow(row[0], row[1], row[2], Math.toIntExact(row[3]), genres, lyrics);
    }
}
