package dev.segue.engine.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One prior's hyper-parameters, under the reference's names. {@code level} 0 and 1 are upsamplers
 * (conditioned on the codes of the level above); the highest level is the top prior. One key is Segue's
 * own: {@code beat_clock} (default false) gives a top prior the {@link dev.segue.engine.prior.PrimeTraits}
 * conditioning, and {@code pitch_guidance} (default 1, none) is how strongly such a prior's sampling follows
 * the prime's pitch: classifier-free guidance against the same prior told no pitch (see
 * {@code sampling/PrimedSampler}). It belongs to the weights, not the architecture: it is worth more than 1
 * only for a prior trained with its pitch sometimes withheld, which {@code segue train} does. {@code beat_codes}
 * (default 0, none) is the beat of a prior that hears every song at one tempo: audio is warped so that a beat of
 * the DAW's grid spans that many codes on the way in, and back on the way out
 * ({@link dev.segue.engine.prior.TempoWarp}). {@code temperature_scale} (default 1) multiplies every temperature this
 * prior is sampled at: a small upsampler that renders its level's detail too loosely at the temperature a client
 * asks of every level is calibrated here, with the weights it belongs to, and a client's temperature still
 * means the same thing for every prior. {@code bar_chroma} (default false) tells a beat-clocked prior the prime's
 * chroma bar by bar, repeated in the cycle of bars the prime holds, instead of one chroma for the whole
 * ({@link dev.segue.engine.prior.PrimeTraits#withBarCycle}) on a DAW's grid, and {@code segue train} tells it
 * its grid-clocked windows' heads the same way.
 */
public record PriorConfig(int level, int nCtx, int width, int depth, int heads, int attnOrder, Integer blocks,
                          double mAttn, double mMlp, boolean resScale, boolean posInit, boolean labels,
                          boolean labelsV3, int[] yBins, int tBins, int maxBowGenreSize, double minDuration,
                          double maxDuration, int sampleRate, int condDepth, int condWidth, double condMConv,
                          int condDilationGrowthRate, Integer condDilationCycle, boolean condResScale,
                          boolean useTokens, int nTokens, boolean singleEncDec, boolean mergedDecoder,
                          boolean copyInput, LyricsConfig lyrics, boolean beatClock, double pitchGuidance,
                          int beatCodes, double temperatureScale, boolean barChroma) {

    public static PriorConfig fromJson(JsonNode node, String where) {
        JsonConfig c = new JsonConfig(node, where);
        PriorConfig cfg = new PriorConfig(c.requiredInt("level"), c.requiredInt("n_ctx"), c.requiredInt("prior_width"),
                c.requiredInt("prior_depth"), c.integer("heads", 1), c.integer("attn_order", 0),
                c.optionalInt("blocks"), c.number("m_attn", 0.25), c.number("m_mlp", 1.0),
                c.bool("res_scale", false), c.bool("pos_init", false), c.bool("labels", true),
                c.bool("labels_v3", false), c.ints("y_bins", new int[] {120, 4111}), c.integer("t_bins", 64),
                c.integer("max_bow_genre_size", 5), c.number("min_duration", 1.0), c.number("max_duration", 600.0),
                c.integer("sr", 44100), c.integer("cond_depth", 3), c.integer("cond_width", 128),
                c.number("cond_m_conv", 1.0), c.integer("cond_dilation_growth_rate", 1),
                c.optionalInt("cond_dilation_cycle"), c.bool("cond_res_scale", false),
                c.bool("use_tokens", false), c.integer("n_tokens", 0), c.bool("single_enc_dec", false),
                c.bool("merged_decoder", false), c.bool("copy_input", false),
                usesLyrics(c) ? LyricsConfig.fromJson(c) : null, c.bool("beat_clock", false),
                c.number("pitch_guidance", 1.0), c.integer("beat_codes", 0), c.number("temperature_scale", 1.0),
                c.bool("bar_chroma", false));
        cfg.validate(where);
        return cfg;
    }

    /** Beyond this, guidance pushes logits far outside anything the prior was trained to produce. */
    public static final double MAX_PITCH_GUIDANCE = 10;

    /** Bounds of {@code temperature_scale}: a calibration, not a second temperature knob. */
    public static final double MIN_TEMPERATURE_SCALE = 0.25;
    public static final double MAX_TEMPERATURE_SCALE = 2;

    private void validate(String where) {
        if (nCtx < 1 || width < 1 || depth < 1 || heads < 1 || level < 0) {
            throw new ConfigException(where + ": n_ctx, prior_width, prior_depth, heads must be positive");
        }
        int state = attnState();
        if (state % heads != 0) {
            throw new ConfigException(where + ": m_attn * prior_width (" + state + ") is not divisible by heads " + heads);
        }
        if (nTokens < 0) {
            throw new ConfigException(where + ".n_tokens: must not be negative");
        }
        if (blocks != null && (blocks < 1 || sequenceLength() % blocks != 0)) {
            throw new ConfigException(where + ": sequence length " + sequenceLength() + (singleEncDec
                    ? " (n_tokens " + nTokens + " + n_ctx " + nCtx + ")" : " (n_ctx)")
                    + " is not divisible by blocks " + blocks);
        }
        if (!(pitchGuidance >= 1 && pitchGuidance <= MAX_PITCH_GUIDANCE)) {
            throw new ConfigException(where + ".pitch_guidance: must lie in 1.." + MAX_PITCH_GUIDANCE + ", got "
                    + pitchGuidance);
        }
        if (pitchGuidance != 1 && !beatClock) {
            throw new ConfigException(where + ".pitch_guidance: only a prior with a beat_clock hears a pitch to follow");
        }
        if (!(temperatureScale >= MIN_TEMPERATURE_SCALE && temperatureScale <= MAX_TEMPERATURE_SCALE)) {
            throw new ConfigException(where + ".temperature_scale: must lie in " + MIN_TEMPERATURE_SCALE + ".."
                    + MAX_TEMPERATURE_SCALE + ", got " + temperatureScale);
        }
        if (barChroma && !beatClock) {
            throw new ConfigException(where + ".bar_chroma: only a prior with a beat_clock hears a chroma to place by bar");
        }
        if (beatCodes < 0 || beatCodes > nCtx / 2 || (beatCodes > 0 && !beatClock)) {
            throw new ConfigException(where + ".beat_codes: a beat-clocked prior's beat in codes, 1.." + nCtx / 2
                    + " (half its context), or 0 for none; got " + beatCodes + (beatClock ? "" : " without a beat_clock"));
        }
        if (lyrics != null) {
            lyrics.validate(where, !singleEncDec, nTokens);
        }
        if (labels && yBins.length != 2) {
            throw new ConfigException(where + ": y_bins must be [genres, artists]");
        }
    }

    /** Width of queries, keys and values: {@code int(m_attn * prior_width)}. */
    public int attnState() {
        return (int) (mAttn * width);
    }

    public int mlpState() {
        return (int) (mMlp * width);
    }

    /** Tokens per block for the factorized attention patterns, over the whole transformer sequence. */
    public int blockCtx() {
        return blocks == null ? sequenceLength() : sequenceLength() / blocks;
    }

    /**
     * Length of the transformer's sequence: n_ctx music codes, preceded by the n_tokens lyric tokens when the
     * lyrics and the music form one sequence ({@code single_enc_dec}).
     */
    public int sequenceLength() {
        return singleEncDec ? nTokens + nCtx : nCtx;
    }

    /** True when lyric tokens condition this prior: one joint sequence, or a separate lyrics encoder. */
    public boolean usesLyrics() {
        return lyrics != null;
    }

    /** The reference builds a lyrics encoder only for use_tokens with n_tokens > 0; single_enc_dec always reads lyrics. */
    private static boolean usesLyrics(JsonConfig c) {
        int nTokens = c.integer("n_tokens", 0);
        return c.bool("single_enc_dec", false) ? nTokens > 0 || c.bool("use_tokens", false)
                : c.bool("use_tokens", false) && nTokens > 0;
    }

    /** Length of a label row: total length, offset, window length, artist, genres, then n_tokens lyric tokens. */
    public int labelRowLength() {
        return 4 + maxBowGenreSize + nTokens;
    }
}
