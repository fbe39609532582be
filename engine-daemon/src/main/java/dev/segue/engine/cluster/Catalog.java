package dev.segue.engine.cluster;

import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.message.Limits;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Quality;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gateway offers, from the priors its live workers hold, in the lone daemon's terms: priors, the
 * presets each has ("sketch" for every prior, "studio" for those with upsamplers), and the limits.
 */
final class Catalog {
    static final String SKETCH_PRESET = "sketch";
    static final String STUDIO_PRESET = "studio";

    private Catalog() {}

    static List<String> presetNames(ContinuationEngine engine) {
        return engine.supports(Quality.DRAFT) ? List.of(SKETCH_PRESET, STUDIO_PRESET) : List.of(SKETCH_PRESET);
    }

    static List<PriorInfo> priors(List<? extends ContinuationEngine> engines) {
        return engines.stream().map(e -> new PriorInfo(e.priorName(), e.levels(), e.sampleRate(), e.labels())).toList();
    }

    static List<PresetInfo> presets(List<? extends ContinuationEngine> engines) {
        List<PresetInfo> out = new ArrayList<>();
        for (ContinuationEngine engine : engines) {
            out.add(new PresetInfo(SKETCH_PRESET, engine.priorName(), "top level only, decoded directly: the fastest take"));
            if (engine.supports(Quality.DRAFT)) {
                out.add(new PresetInfo(STUDIO_PRESET, engine.priorName(), "any tier the prior has: sketch, draft"
                        + (engine.supports(Quality.FULL) ? ", full" : "") + " (upsampled, slower)"));
            }
        }
        return out;
    }

    /** With no live worker, the protocol's own bounds: nothing is refused for size that a worker could take. */
    static Limits limits(List<? extends ContinuationEngine> engines) {
        long seconds = (long) engines.stream().mapToDouble(ContinuationEngine::maxContinuationSeconds).max()
                .orElse(Bounds.MAX_CONTINUATION_SECONDS);
        return new Limits(Bounds.MAX_MESSAGE_BYTES, Bounds.MAX_AUDIO_SECONDS, Bounds.MAX_CANDIDATES,
                (int) Math.min(Bounds.MAX_LENGTH_BARS, Math.max(1, seconds / 2)), (int) Math.min(Bounds.MAX_CONTINUATION_SECONDS, Math.max(1, seconds)));
    }
}
