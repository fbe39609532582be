package dev.segue.engine.sampling;

import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.lyrics.LyricsLabeller;
import dev.segue.engine.prior.LabelRow;
import java.util.List;

/**
 * What a request conditions a labelled top prior on, beyond the music: artist id and genre ids, padded with -1 to
 * max_bow_genre_size (null for the prior's neutral choice, see {@link LabelRow#neutral}) and the song's lyrics ("" or null for an instrumental).
 * Names were already mapped to ids by the model's label lists.
 */
public record SongLabels(Integer artist, int[] genres, String lyrics) {
    public static final SongLabels NONE = new SongLabels(null, null, null);

    /** One label row as the instrumental path has always used: the neutral row, with any ids the request gave. */
    List<LabelRow> fixedRow(PriorConfig config) {
        LabelRow n = LabelRow.neutral(config).get(0);
        return List.of(new LabelRow(n.totalLength(), n.offset(), n.windowLength(), artistOr(n), genresOr(n)));
    }

    /**
     * Rows per window for a lyrics prior, as the reference's sampler labels each window: the song's total
     * length, the window's offset and the prior's window length in samples, then the lyric tokens that
     * {@link dev.segue.engine.lyrics.LyricWindow} picks for that position.
     *
     * @param totalTokens the song's length in tokens of this level (prime and continuation)
     * @param hop samples per token of this level
     */
    WindowedSampler.WindowLabels perWindow(PriorConfig config, int totalTokens, int hop) {
        LyricsLabeller labeller = new LyricsLabeller(config, lyrics == null ? "" : lyrics);
        LabelRow n = LabelRow.neutral(config).get(0);
        long total = (long) totalTokens * hop;
        long window = (long) config.nCtx() * hop;
        int artist = artistOr(n);
        int[] genres = genresOr(n);
        long minTotal = (long) Math.ceil(config.minDuration() * config.sampleRate());
        long maxTotal = (long) Math.floor(config.maxDuration() * config.sampleRate());
        // The conditioner checks total < max_duration * sr in float32 (as the reference's tensors hold it); near
        // 26 M samples floats are 2 apart, so maxTotal - 1 would round up to the bound itself and be refused.
        long lastTotal = Math.min(maxTotal - 1, (long) Math.nextDown((float) (config.maxDuration() * config.sampleRate())));
        return (start, length) -> {
            long offset = (long) start * hop;
            // The lyric window follows the true position; the timing labels must stay inside the ranges the
            // prior was trained on (the reference asserts them): a song shorter than min_duration is labelled
            // as min_duration long, and past max_duration the window is labelled as the last one that fits.
            int[] lyricTokens = labeller.label(new LabelRow(total, offset, window, artist, genres)).lyrics();
            long labelTotal = Math.min(Math.max(total, minTotal), lastTotal);
            long labelOffset = Math.max(0, Math.min(offset, Math.min(labelTotal - 1, maxTotal - window)));
            return List.of(new LabelRow(labelTotal, labelOffset, window, artist, genres, lyricTokens));
        };
    }

    private int artistOr(LabelRow neutral) {
        return artist == null ? neutral.artist() : artist;
    }

    private int[] genresOr(LabelRow neutral) {
        if (genres == null) {
            return neutral.genres();
        }
        if (genres.length != neutral.genres().length) {
            throw new IllegalArgumentException("give " + neutral.genres().length + " genre ids (padded with -1), got "
                    + genres.length);
        }
        return genres.clone();
    }
}
