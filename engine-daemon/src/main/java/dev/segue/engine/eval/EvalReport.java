package dev.segue.engine.eval;

import dev.segue.engine.analysis.TempoEstimator;
import java.util.Locale;

/** The evaluation as Markdown tables, ready to paste into presets/README.md. */
public final class EvalReport {
    private EvalReport() {}

    public static String markdown(ModelEvaluation.Result r) {
        StringBuilder s = new StringBuilder();
        ModelEvaluation.Options o = r.options();
        s.append(f("### segue eval: %s%n%n", r.model()));
        s.append(f("Held-out: %d corpus clips of %.2f s at %d Hz (seeds 1000000000..%d, never trained on); unigram "
                        + "baseline fitted on %d training clips (seeds 0..%d). Continuations: sketch tier, %.2f s prime "
                        + "→ %.2f s, temperature %.2f.%n%n", o.heldOutClips(), r.primeSeconds() + r.continuationSeconds(),
                r.sampleRate(), 1_000_000_000L + o.heldOutClips() - 1, o.trainingClips(), o.trainingClips() - 1,
                r.primeSeconds(), r.continuationSeconds(), o.temperature()));
        s.append("| VQ-VAE level | hop | spectral convergence, dB (STFT 2048/256/1536) | multi-resolution SC, dB | "
                + "codebook perplexity | codes used |\n| --- | --- | --- | --- | --- | --- |\n");
        for (ModelEvaluation.LevelResult l : r.levels()) {
            s.append(f("| %d | %d | %.1f | %.1f | %.1f of %d | %d |%n", l.level(), l.hop(), l.scJukeboxDb(),
                    l.scMultiResolutionDb(), l.perplexity(), l.bins(), l.codesUsed()));
        }
        if (r.draft() != null) {
            ModelEvaluation.DraftResult d = r.draft();
            s.append(f("%n| draft tier: the true continuation's level-%d codes upsampled to level %d and decoded | "
                    + "spectral convergence, dB | multi-resolution SC, dB |%n| --- | --- | --- |%n", d.level() + 1, d.level()));
            String scaled = d.temperatureScale() == 1 ? "" : f(" × the upsampler's temperature_scale %.2f",
                    d.temperatureScale());
            s.append(f("| the draft rendering (temperature %.2f%s), %d clips | %.1f | %.1f |%n", o.temperature(), scaled,
                    d.clips(), d.scJukeboxDb(), d.scMultiResolutionDb()));
            s.append(f("| the true level-%d codes decoded (a perfect upsampler) | %.1f | |%n", d.level(), d.codecScJukeboxDb()));
            s.append(f("| the true level-%d codes decoded (the sketch tier's rendering) | %.1f | |%n", d.level() + 1,
                    d.topScJukeboxDb()));
        }
        ModelEvaluation.PriorResult p = r.prior();
        s.append("\n| top prior (level ").append(p.level()).append(") | bits per token | \n| --- | --- |\n");
        s.append(f("| prior, teacher-forced on held-out codes | %.3f |%n", p.bitsPerToken()));
        s.append(f("| unigram fitted on training codes | %.3f |%n", p.unigramBitsPerToken()));
        s.append(f("| uniform over the codebook | %.3f |%n", p.uniformBits()));
        s.append(f("| tokens scored | %d |%n", p.tokens()));
        s.append(f("| prior on the true continuation (from %d tokens after the seam), after its own prime | %s |%n",
                ModelEvaluation.SEAM_SKIP, bits(p.ownPrimeBits())));
        s.append(f("| the same continuation after another held-out clip's prime | %s |%n", bits(p.otherPrimeBits())));
        s.append("\n| coherence, prime vs continuation | matched pairs | shuffled baseline |\n| --- | --- | --- |\n");
        row(s, "chroma correlation, model", r.generated().chromaMatched(), r.generated().chromaShuffled(), "%.3f");
        row(s, "same estimated key, model", r.generated().keyMatched(), r.generated().keyShuffled(), "%.2f");
        row(s, "tempo agrees (±4%, octave errors allowed), model", r.generated().tempoMatched(),
                r.generated().tempoShuffled(), "%.2f");
        row(s, "chroma correlation, true continuation (ceiling)", r.truth().chromaMatched(), r.truth().chromaShuffled(), "%.3f");
        row(s, "same estimated key, true continuation", r.truth().keyMatched(), r.truth().keyShuffled(), "%.2f");
        row(s, "tempo agrees, true continuation", r.truth().tempoMatched(), r.truth().tempoShuffled(), "%.2f");
        row(s, "chroma correlation, true continuation through the VQ-VAE", r.truthCoded().chromaMatched(),
                r.truthCoded().chromaShuffled(), "%.3f");
        row(s, "same estimated key, true continuation through the VQ-VAE", r.truthCoded().keyMatched(),
                r.truthCoded().keyShuffled(), "%.2f");
        row(s, "tempo agrees, true continuation through the VQ-VAE", r.truthCoded().tempoMatched(),
                r.truthCoded().tempoShuffled(), "%.2f");
        s.append("\n| continuation vs what the corpus composed for its clip | own clip | next clip (shuffled) |\n"
                + "| --- | --- | --- |\n");
        row(s, "tempo agrees with the composed tempo, model", r.generatedVsComposed().tempoMatched(),
                r.generatedVsComposed().tempoShuffled(), "%.2f");
        row(s, "estimated key is the composed key, model", r.generatedVsComposed().keyMatched(),
                r.generatedVsComposed().keyShuffled(), "%.2f");
        row(s, "tempo agrees with the composed tempo, true continuation", r.truthVsComposed().tempoMatched(),
                r.truthVsComposed().tempoShuffled(), "%.2f");
        row(s, "estimated key is the composed key, true continuation", r.truthVsComposed().keyMatched(),
                r.truthVsComposed().keyShuffled(), "%.2f");
        gridRows(s, r.grid());
        tierRows(s, r.tiers());
        ModelEvaluation.Motion motion = r.motion();
        s.append(f("%nHarmonic motion (mean over %.0f s segments of 1 − cosine of the segment's chroma to the whole's; "
                + "0 = one held pitch set): primes %.3f, model %.3f%s, true continuation %.3f, through the VQ-VAE %.3f.%n",
                Coherence.MOTION_SEGMENT_S, motion.primes(), motion.model(), Double.isNaN(motion.modelOnGrid()) ? ""
                        : f(" (on the DAW's grid %.3f)", motion.modelOnGrid()), motion.truth(), motion.truthCoded()));
        s.append(f("Continuations with no pitched content (no spectral peak 100 Hz–2 kHz; chroma 0): model %d of %d, "
                + "true continuation %d of %d.%n", r.generated().pitchless(), r.generated().pairs(), r.truth().pitchless(),
                r.truth().pairs()));
        ModelEvaluation.FeatureCheck c = r.check();
        s.append(f("Feature check on the held-out clips: tempo estimate agrees with the composed tempo on %d of %d; "
                + "estimated key equals the composed key on %d of %d; the beats estimated on the prime fall within "
                + "%.0f ms of the composed beats on %d of %d.%n", c.tempoAgrees(), c.clips(), c.keyExact(), c.clips(),
                1000 * ModelEvaluation.BEAT_TOLERANCE_S, c.beatsPlaced(), c.clips()));
        return s.toString();
    }

    /** The DAW's grid as the clock, onsets on that grid, and stereo takes for stereo primes. */
    private static void gridRows(StringBuilder s, ModelEvaluation.GridRows g) {
        if (g.onGrid() != null) {
            s.append("\n| the DAW's grid as the beat clock (the clip's composed tempo, bar and phase) | matched pairs "
                    + "| shuffled baseline |\n| --- | --- | --- |\n");
            row(s, "chroma correlation, model on the grid clock", g.onGrid().chromaMatched(),
                    g.onGrid().chromaShuffled(), "%.3f");
            row(s, "same estimated key, model on the grid clock", g.onGrid().keyMatched(), g.onGrid().keyShuffled(), "%.2f");
            row(s, "tempo agrees with the prime's, model on the grid clock", g.onGrid().tempoMatched(),
                    g.onGrid().tempoShuffled(), "%.2f");
            row(s, "tempo agrees with the DAW's (composed) tempo, model on the grid clock",
                    g.onGridVsComposed().tempoMatched(), g.onGridVsComposed().tempoShuffled(), "%.2f");
            row(s, "estimated key is the composed key, model on the grid clock", g.onGridVsComposed().keyMatched(),
                    g.onGridVsComposed().keyShuffled(), "%.2f");
        }
        s.append(f("%n| share of onset strength within ±%.0f ms of the DAW's (composed) beat grid | mean over clips |%n"
                + "| --- | --- |%n", 1000 * GridOnsets.TOLERANCE_S));
        s.append(f("| model, clock estimated from the prime | %s |%n", share(g.onsetsMeasured())));
        s.append(f("| model, the DAW's grid as the clock | %s |%n", share(g.onsetsGrid())));
        s.append(f("| true continuation | %s |%n", share(g.onsetsTruth())));
        s.append(f("| shuffled: the model's take against the next clip's grid | %s |%n", share(g.onsetsShuffled())));
        int lags = g.lagsModel().length;
        s.append(f("%n| onset share against the DAW's grid moved later by a fraction of a beat |"));
        for (int l = 0; l < lags; l++) {
            s.append(f(" %d/%d |", l, lags));
        }
        s.append("\n|" + " --- |".repeat(lags + 1) + "\n");
        lagRow(s, g.onGrid() != null ? "model, the DAW's grid as the clock" : "model, clock estimated from the prime",
                g.lagsModel());
        lagRow(s, "true continuation", g.lagsTruth());
        lagRow(s, "true continuation through the VQ-VAE's top level", g.lagsTruthCoded());
        s.append(f("%n| stereo image against the prime's (the clips' panned stereo renderings as primes; %d per-band "
                + "correlations, bands with under %.1f%% of the energy left out) | mean abs difference of the "
                + "correlation | share of bands within ±%.2f |%n| --- | --- | --- |%n", dev.segue.engine.audio.StereoImage.BANDS,
                100 * StereoAgreement.MIN_BAND_SHARE, StereoAgreement.WITHIN));
        stereoRow(s, "model's take with the prime's image", g.stereoTake());
        stereoRow(s, "the piece's own stereo continuation", g.stereoTruth());
        stereoRow(s, "the model's take as L = R", g.stereoDualMono());
    }

    /** The musical rows of each tier's take beside the true continuation through each tier's codec. */
    private static void tierRows(StringBuilder s, java.util.List<TierRows.Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        s.append(f("%n| each tier on the DAW's grid, %d clips | tempo agrees with the DAW's | onset share within ±%.0f ms "
                + "of its beats | estimated key is the composed key | harmonic motion |%n| --- | --- | --- | --- | --- |%n",
                rows.get(0).clips(), 1000 * GridOnsets.TOLERANCE_S));
        for (TierRows.Row r : rows) {
            s.append(f("| %s | %s | %s | %.2f | %s |%n", r.what(), Double.isNaN(r.tempo()) ? "n/a" : f("%.2f", r.tempo()),
                    share(r.onsets()), r.key(), share(r.motion())));
        }
    }

    private static void stereoRow(StringBuilder s, String what, StereoAgreement.Agreement a) {
        s.append(f("| %s | %s | %s |%n", what, Double.isNaN(a.meanAbsDifference()) ? "n/a" : f("%.3f", a.meanAbsDifference()),
                Double.isNaN(a.shareWithin()) ? "n/a" : f("%.2f", a.shareWithin())));
    }

    private static void lagRow(StringBuilder s, String what, double[] shares) {
        s.append("| ").append(what).append(" |");
        for (double v : shares) {
            s.append(' ').append(share(v)).append(" |");
        }
        s.append('\n');
    }

    private static String share(double v) {
        return Double.isNaN(v) ? "n/a" : f("%.3f", v);
    }

    private static void row(StringBuilder s, String what, double matched, double shuffled, String format) {
        String m = Double.isNaN(matched) ? "n/a (under " + String.format(Locale.ROOT, "%.1f", TempoEstimator.minSeconds())
                + " s)" : String.format(Locale.ROOT, format, matched);
        String b = Double.isNaN(shuffled) ? "n/a" : String.format(Locale.ROOT, format, shuffled);
        s.append("| ").append(what).append(" | ").append(m).append(" | ").append(b).append(" |\n");
    }

    private static String bits(double value) {
        return Double.isNaN(value) ? "n/a (prime and continuation exceed one window)" : f("%.3f", value);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
