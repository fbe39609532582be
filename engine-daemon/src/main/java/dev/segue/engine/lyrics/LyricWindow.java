package dev.segue.engine.lyrics;

/**
 * Which lyric tokens condition a window of music: the reference's linear-window heuristic
 * ({@code get_relevant_lyric_tokens}), which assumes the characters are spread evenly over the song.
 *
 * <p>The rule. Given the song's {@code full} tokens, the prior's {@code n} = n_tokens, and the window as
 * (total length, offset, window length) in samples:
 * <ul>
 *   <li>fewer than n tokens in the whole song: all of them, preceded by n - length padding tokens (0), so the
 *       lyrics end at the window's last position whatever the offset;</li>
 *   <li>otherwise the window's centre in the song, as a fraction of its length, picks a midpoint character:
 *       midpoint = floor(length * (offset + window / 2) / total), clamped to [n / 2, length - n / 2], and
 *       the tokens are full[midpoint - n / 2, midpoint + n / 2). The window thus slides through the lyrics
 *       as the offset grows, pinned to the first n at the song's start and to the last n at its end.</li>
 * </ul>
 * The midpoint is computed in float32, in the reference's operation order: at sampling time the reference
 * reads total length, offset and window length from int64 tensors, and {@code window / 2.0} promotes the
 * arithmetic to float32, so near a character boundary float64 arithmetic could pick the neighbour.
 * The offset must lie in [0, total); n must be even (the reference's slice is n / 2 either side).
 */
public final class LyricWindow {
    private LyricWindow() {}

    public static int[] tokens(int[] full, int n, long totalLength, long offset, long windowLength) {
        if (n < 1 || n % 2 != 0) {
            throw new IllegalArgumentException("n_tokens must be a positive even number, got " + n);
        }
        if (full.length < n) {
            int[] padded = new int[n];
            System.arraycopy(full, 0, padded, n - full.length, full.length);
            return padded;
        }
        int from = firstIndex(full.length, n, totalLength, offset, windowLength);
        int[] out = new int[n];
        System.arraycopy(full, from, out, 0, n);
        return out;
    }

    /** Index in the song's tokens of the window's first lyric token, for lyrics of at least n tokens. */
    public static int firstIndex(int length, int n, long totalLength, long offset, long windowLength) {
        if (totalLength <= 0 || offset < 0 || offset >= totalLength) {
            throw new IllegalArgumentException("window offset " + offset + " must lie in [0, total length "
                    + totalLength + ")");
        }
        if (windowLength <= 0) {
            throw new IllegalArgumentException("window length must be positive, got " + windowLength);
        }
        float centre = (float) offset + (float) windowLength / 2.0f;
        float scaled = (float) length * centre;
        int midpoint = (int) (scaled / (float) totalLength);
        midpoint = Math.min(Math.max(midpoint, n / 2), length - n / 2);
        return midpoint - n / 2;
    }
}
