package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.segue.engine.checkpoint.WeightLoader;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.nn.Embeddings;
import dev.segue.engine.nn.JukeboxLinear;
import dev.segue.engine.nn.LayerNormLayer;

/**
 * The separate lyrics encoder of the {@code sep_enc_dec} architecture (the reference's {@code prime_prior},
 * {@code prime_state_proj}, {@code prime_state_ln}, {@code prime_x_out}): a causal transformer over the
 * window's n_tokens lyric tokens, started by its own start token, with no output head; its states are
 * projected to the decoder's width and normalised. Those states are what the decoder's encoder-decoder
 * layers attend to; {@code prime_x_out} turns them into lyric predictions, used only for the loss.
 */
final class LyricsEncoder {
    private final NDArray tokenEmb;
    private final NDArray positionEmb;
    private final NDArray startToken;
    private final Transformer transformer;
    private final JukeboxLinear stateProj;
    private final LayerNormLayer stateNorm;
    private final NDArray lyricsOut;
    private final int nTokens;
    private final int vocab;
    private final int width;

    LyricsEncoder(WeightLoader root, PriorConfig config) {
        this.nTokens = config.nTokens();
        this.vocab = config.lyrics().nVocab();
        this.width = config.lyrics().primeWidth();
        WeightLoader p = root.child("prime_prior");
        this.tokenEmb = p.floats("x_emb.weight", vocab, width);
        this.positionEmb = p.floats("pos_emb.pos_emb", nTokens, width);
        this.startToken = p.floats("start_token", 1, width);
        this.transformer = new Transformer(p.child("transformer"), TransformerSpec.lyricsEncoder(config));
        this.stateProj = new JukeboxLinear(root.child("prime_state_proj"), width, config.width());
        this.stateNorm = new LayerNormLayer(root.child("prime_state_ln"), config.width());
        this.lyricsOut = root.floats("prime_x_out.weight", vocab, config.width());
    }

    /** lyrics (B, n_tokens) int64 in the request's manager; returns the encoder states (B, n_tokens, W). */
    NDArray encode(NDManager m, NDArray lyrics) {
        long b = lyrics.getShape().get(0);
        // Position 0 takes the start token, position i the embedding of lyric token i - 1.
        NDArray shifted = Embeddings.lookup(tokenEmb, lyrics.get(new NDIndex(":, 0:{}", nTokens - 1)));
        NDArray start = m.zeros(new Shape(b, 1, width)).add(startToken.get(m, new NDIndex("0:1")).reshape(1, 1, width));
        NDArray x = start.concat(shifted, 1).add(positionEmb.get(m, new NDIndex("0:{}", nTokens)));
        NDArray acts;
        try (KvCache cache = transformer.newCache(m, (int) b)) {
            acts = transformer.forward(x, cache, 0);
        }
        return stateNorm.forward(stateProj.forward(acts));
    }

    /** Lyric-token logits (B, n_tokens, n_vocab) from the encoder states: the reference's prime loss head. */
    NDArray lyricsLogits(NDArray states) {
        return Linear.linear(states, lyricsOut).singletonOrThrow();
    }

    long weightBytes() {
        return transformer.weightBytes();
    }
}
