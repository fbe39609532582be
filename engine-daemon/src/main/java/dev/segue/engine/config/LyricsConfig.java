package dev.segue.engine.config;

/**
 * The lyrics part of a prior's hyper-parameters, under the reference's names: the character vocabulary
 * ({@code n_vocab}), the weight of the lyric-prediction loss ({@code prime_loss_fraction}) and, for the
 * separate encoder-decoder architecture, the lyrics encoder ({@code prime_*}). Absent (null) for an
 * instrumental prior.
 */
public record LyricsConfig(int nVocab, double primeLossFraction, int primeWidth, int primeDepth, int primeHeads,
                           int primeAttnOrder, Integer primeBlocks, double primeMAttn, double primeMMlp,
                           boolean primeResScale, boolean primePosInit) {

    static LyricsConfig fromJson(JsonConfig c) {
        return new LyricsConfig(c.integer("n_vocab", 0), c.number("prime_loss_fraction", 0.1),
                c.integer("prime_width", 128), c.integer("prime_depth", 2), c.integer("prime_heads", 1),
                c.integer("prime_attn_order", 0), c.optionalInt("prime_blocks"), c.number("prime_m_attn", 0.25),
                c.number("prime_m_mlp", 1.0), c.bool("prime_res_scale", false), c.bool("prime_pos_init", false));
    }

    void validate(String where, boolean separateEncoder, int nTokens) {
        if (nTokens < 1) {
            throw new ConfigException(where + ".n_tokens: a lyrics prior needs at least one lyric token per window");
        }
        if (nVocab < 1) {
            throw new ConfigException(where + ".n_vocab: a lyrics prior needs a positive lyric vocabulary size");
        }
        if (!(primeLossFraction >= 0)) {
            throw new ConfigException(where + ".prime_loss_fraction: must be a non-negative number");
        }
        if (!separateEncoder) {
            return;
        }
        if (primeWidth < 1 || primeDepth < 1 || primeHeads < 1) {
            throw new ConfigException(where + ": prime_width, prime_depth, prime_heads must be positive");
        }
        if (primeAttnState() < primeHeads || primeAttnState() % primeHeads != 0) {
            throw new ConfigException(where + ": prime_m_attn * prime_width (" + primeAttnState()
                    + ") is not divisible by prime_heads " + primeHeads);
        }
        if (primeBlocks != null && (primeBlocks < 1 || nTokens % primeBlocks != 0)) {
            throw new ConfigException(where + ": n_tokens " + nTokens + " is not divisible by prime_blocks " + primeBlocks);
        }
        if (primePosInit) {
            throw new ConfigException(where + ": prime_pos_init is not supported");
        }
    }

    public int primeAttnState() {
        return (int) (primeMAttn * primeWidth);
    }

    public int primeMlpState() {
        return (int) (primeMMlp * primeWidth);
    }
}
