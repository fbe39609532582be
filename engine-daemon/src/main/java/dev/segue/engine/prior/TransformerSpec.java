package dev.segue.engine.prior;

import dev.segue.engine.config.LyricsConfig;
import dev.segue.engine.config.PriorConfig;

/**
 * The shape of one transformer stack, whichever part of a prior it is: the music decoder (or the joint
 * lyrics-and-music sequence of {@code single_enc_dec}), or the separate lyrics encoder ({@code prime_*}).
 * {@code lyricTokens} is the reference's {@code prime_len} (type 7 layers), {@code encoderLength} the length
 * of the encoder states that type 6 layers attend to; 0 when the stack has none.
 */
record TransformerSpec(String where, int length, int width, int depth, int heads, int attnState, int mlpState,
                       int attnOrder, Integer blocks, boolean resScale, int lyricTokens, int encoderLength) {

    /** The main stack of a prior. */
    static TransformerSpec decoder(PriorConfig c) {
        boolean separateEncoder = c.usesLyrics() && !c.singleEncDec();
        return new TransformerSpec("prior level " + c.level(), c.sequenceLength(), c.width(), c.depth(), c.heads(),
                c.attnState(), c.mlpState(), c.attnOrder(), c.blocks(), c.resScale(),
                c.usesLyrics() && c.singleEncDec() ? c.nTokens() : 0, separateEncoder ? c.nTokens() : 0);
    }

    /** The lyrics encoder of the separate encoder-decoder architecture: causal over n_tokens lyric tokens. */
    static TransformerSpec lyricsEncoder(PriorConfig c) {
        LyricsConfig l = c.lyrics();
        return new TransformerSpec("lyrics encoder of prior level " + c.level(), c.nTokens(), l.primeWidth(),
                l.primeDepth(), l.primeHeads(), l.primeAttnState(), l.primeMlpState(), l.primeAttnOrder(),
                l.primeBlocks(), l.primeResScale(), 0, 0);
    }

    int blockCtx() {
        return blocks == null ? length : length / blocks;
    }

    int headDim() {
        return attnState / heads;
    }

    /**
     * The reference's {@code _prime_len}: (prime_len / blocks + 1) * blocks, the number of leading keys a
     * type 7 layer attends to. Where that passes the sequence's end the reference's slice simply takes the
     * whole sequence, and so does this.
     */
    int lyricsKeyLimit() {
        return (int) Math.min((long) (lyricTokens / blocks + 1) * blocks, length);
    }
}
