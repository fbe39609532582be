package dev.segue.engine.conformance;

import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.config.PriorConfig;

/**
 * The logit tolerance of a conformance check under a weight format. Formats that keep every stored value
 * (fp32, as-stored) are held to the reference tolerance, {@link ConformanceRunner#LOGIT_TOLERANCE}. A format
 * that rounds weights (bf16, fp16) changes each weight by up to its unit roundoff u (relative: 2^-8 for
 * bf16's 8 significant bits, 2^-11 for fp16's 11), so each matrix product is off by up to u of the size of
 * its terms; the prior has four such products per layer plus the output projection, and independent
 * rounding errors add in quadrature, so the logits move by about u x sqrt(4 x layers + 1) of their scale.
 * The scale is the largest reference logit of the check. Nothing here looks at the engine's own output.
 */
record LogitTolerance(double value, double unitRoundoff, int layers, double scale) {
    static double unitRoundoff(WeightFormat format) {
        return switch (format) {
            case BF16 -> 0x1p-8;
            case FP16 -> 0x1p-11;
            case FP32, AS_STORED -> 0;
        };
    }

    /** Whether the format may round stored weights (then greedy near-ties may break the other way). */
    static boolean rounds(WeightFormat format) {
        return unitRoundoff(format) > 0;
    }

    static LogitTolerance of(WeightFormat format, PriorConfig pc, float[] referenceLogits) {
        double u = unitRoundoff(format);
        int layers = pc.depth() + (pc.usesLyrics() && !pc.singleEncDec() ? pc.lyrics().primeDepth() : 0);
        double scale = 0;
        for (float v : referenceLogits) {
            scale = Math.max(scale, Math.abs(v));
        }
        double value = ConformanceRunner.LOGIT_TOLERANCE + u * Math.sqrt(4.0 * layers + 1) * scale;
        return new LogitTolerance(value, u, layers, scale);
    }

    /** Loss in bits moves by at most twice the largest logit change (log-sum-exp and the target's logit), over ln 2. */
    double lossBits() {
        return unitRoundoff == 0 ? ConformanceRunner.LOGIT_TOLERANCE : 2 * value / Math.log(2);
    }

    String describe() {
        return unitRoundoff == 0 ? String.format("tolerance %.0e", value)
                : String.format("tolerance %.3e = 1e-3 + u %.3g x sqrt(4 x %d layers + 1) x logit scale %.3f",
                        value, unitRoundoff, layers, scale);
    }
}
