package dev.segue.engine.config;

import com.fasterxml.jackson.databind.JsonNode;

/** The VQ-VAE hyper-parameters under the reference's names ({@code downs_t}, {@code hvqvae_multipliers}, ...). */
public record VqVaeConfig(int levels, int[] downsT, int[] stridesT, int[] multipliers, int embWidth, int lBins,
                          int depth, int width, double mConv, int dilationGrowthRate, Integer dilationCycle,
                          boolean reverseDecoderDilation, int sampleRate) {

    public static VqVaeConfig fromJson(JsonNode node) {
        JsonConfig c = new JsonConfig(node, "vqvae");
        int levels = c.requiredInt("levels");
        int[] downs = c.ints("downs_t", null);
        int[] strides = c.ints("strides_t", null);
        int[] mult = c.ints("hvqvae_multipliers", null);
        if (mult == null) {
            mult = new int[levels];
            java.util.Arrays.fill(mult, 1);
        }
        if (downs == null || strides == null || downs.length != levels || strides.length != levels
                || mult.length != levels) {
            throw new ConfigException("vqvae: downs_t, strides_t and hvqvae_multipliers need one entry per level ("
                    + levels + ")");
        }
        VqVaeConfig cfg = new VqVaeConfig(levels, downs, strides, mult, c.requiredInt("emb_width"),
                c.requiredInt("l_bins"), c.requiredInt("depth"), c.requiredInt("width"), c.number("m_conv", 1.0),
                c.integer("dilation_growth_rate", 1), c.optionalInt("dilation_cycle"),
                c.bool("vqvae_reverse_decoder_dilation", false), c.integer("sr", 44100));
        if (levels < 1 || levels > 8 || cfg.lBins < 2 || cfg.embWidth < 1 || cfg.width < 1 || cfg.depth < 0) {
            throw new ConfigException("vqvae: sizes out of range: " + node);
        }
        return cfg;
    }

    /** Samples per code at each level: 8, 32, 128 for the published model. */
    public int hopLength(int level) {
        int hop = 1;
        for (int l = 0; l <= level; l++) {
            hop *= (int) Math.pow(stridesT[l], downsT[l]);
        }
        return hop;
    }

    /** The down-sampling factor between level {@code level - 1} and {@code level}. */
    public int downsample(int level) {
        return (int) Math.pow(stridesT[level], downsT[level]);
    }
}
