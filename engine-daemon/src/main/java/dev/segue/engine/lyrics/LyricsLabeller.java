package dev.segue.engine.lyrics;

import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.LabelRow;

/**
 * Lyrics text to the lyric tokens of one window's label row for a lyrics prior: the prior's vocabulary
 * ({@link LyricsVocabulary}, v3 or v2 as its {@code labels_v3} says, checked against its {@code n_vocab}),
 * then {@link LyricWindow} for the window the row describes.
 */
public final class LyricsLabeller {
    private final LyricsVocabulary vocabulary;
    private final int nTokens;
    private final int[] songTokens;

    public LyricsLabeller(PriorConfig config, String lyrics) {
        if (!config.usesLyrics()) {
            throw new IllegalArgumentException("prior level " + config.level() + " is not conditioned on lyrics");
        }
        this.vocabulary = LyricsVocabulary.forLabels(config.labelsV3());
        if (vocabulary.size() != config.lyrics().nVocab()) {
            throw new IllegalArgumentException("prior level " + config.level() + " has n_vocab " + config.lyrics().nVocab()
                    + " but its " + (config.labelsV3() ? "v3" : "v2") + " lyric vocabulary has " + vocabulary.size()
                    + " tokens");
        }
        this.nTokens = config.nTokens();
        this.songTokens = vocabulary.tokenise(lyrics);
    }

    /** The row with the lyric tokens of its own window (its total length, offset and window length). */
    public LabelRow label(LabelRow row) {
        return row.withLyrics(LyricWindow.tokens(songTokens, nTokens, row.totalLength(), row.offset(),
                row.windowLength()));
    }

    public int songTokens() {
        return songTokens.length;
    }
}
