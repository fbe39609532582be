package dev.segue.engine.server;

import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.Quality;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The loaded priors by name, in start-up order, and the presets each offers; the first answers requests that name none. */
final class Engines {
    /** The one generation preset served until presets are loaded from presets/: top level, model defaults. */
    static final String SKETCH_PRESET = "sketch";
    /** Every tier the loaded priors can do; offered only when upsamplers are loaded. */
    static final String STUDIO_PRESET = "studio";

    private final Map<String, ContinuationEngine> byName = new LinkedHashMap<>();

    Engines(List<ContinuationEngine> priors) {
        if (priors.isEmpty()) {
            throw new IllegalArgumentException("a daemon needs at least one prior");
        }
        for (ContinuationEngine e : priors) {
            if (byName.putIfAbsent(e.priorName(), e) != null) {
                throw new IllegalArgumentException("two priors are named '" + e.priorName() + "'");
            }
        }
    }

    Set<String> names() {
        return byName.keySet();
    }

    Collection<ContinuationEngine> all() {
        return byName.values();
    }

    /** The prior a request names; no name means the first loaded. */
    ContinuationEngine named(String prior) {
        if (prior == null || prior.isEmpty()) {
            return byName.values().iterator().next();
        }
        ContinuationEngine engine = byName.get(prior);
        if (engine == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_PRIOR, "no prior '" + prior + "'; this daemon has " + byName.keySet());
        }
        return engine;
    }

    static List<String> presetNames(ContinuationEngine engine) {
        return engine.supports(Quality.DRAFT) ? List.of(SKETCH_PRESET, STUDIO_PRESET) : List.of(SKETCH_PRESET);
    }

    /** Every prior's presets: "sketch" for each, "studio" for those with upsamplers. */
    List<PresetInfo> presetInfos() {
        List<PresetInfo> out = new ArrayList<>();
        for (ContinuationEngine engine : byName.values()) {
            out.add(new PresetInfo(SKETCH_PRESET, engine.priorName(), "top level only, decoded directly: the fastest take"));
            if (engine.supports(Quality.DRAFT)) {
                out.add(new PresetInfo(STUDIO_PRESET, engine.priorName(), "any tier the prior has: sketch, draft"
                        + (engine.supports(Quality.FULL) ? ", full" : "") + " (upsampled, slower)"));
            }
        }
        return out;
    }
}
