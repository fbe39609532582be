package dev.segue.engine.server;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.Limits;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Priors;
import dev.segue.protocol.message.Quality;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loaded priors by name, in start-up order, and the presets each offers; the first answers requests that name none.
 * The cluster's gateway builds one from the priors its live workers announce, so it lists and limits them as a lone
 * daemon does.
 */
public final class Engines {
    /** The one generation preset served until presets are loaded from presets/: top level, model defaults. */
    public static final String SKETCH_PRESET = "sketch";
    /** Every tier the loaded priors can do; offered only when upsamplers are loaded. */
    public static final String STUDIO_PRESET = "studio";

    private final Map<String, ContinuationEngine> byName = new LinkedHashMap<>();

    Engines(List<ContinuationEngine> priors) {
        this(priors, false);
    }

    private Engines(List<? extends ContinuationEngine> priors, boolean mayBeEmpty) {
        if (priors.isEmpty() && !mayBeEmpty) {
            throw new IllegalArgumentException("a daemon needs at least one prior");
        }
        for (ContinuationEngine e : priors) {
            if (byName.putIfAbsent(e.priorName(), e) != null) {
                throw new IllegalArgumentException("two priors are named '" + e.priorName() + "'");
            }
        }
    }

    /** The priors some other process holds (a cluster's live workers), which may be none at the moment. */
    public static Engines of(List<? extends ContinuationEngine> priors) {
        return new Engines(priors, true);
    }

    Set<String> names() {
        return byName.keySet();
    }

    Collection<ContinuationEngine> all() {
        return byName.values();
    }

    /** The prior a request names; no name means the first loaded. */
    public ContinuationEngine named(String prior) {
        if ((prior == null || prior.isEmpty()) && !byName.isEmpty()) {
            return byName.values().iterator().next();
        }
        ContinuationEngine engine = byName.get(prior);
        if (engine == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_PRIOR, "no prior '" + prior + "'; this daemon has " + byName.keySet());
        }
        return engine;
    }

    public static List<String> presetNames(ContinuationEngine engine) {
        return engine.supports(Quality.DRAFT) ? List.of(SKETCH_PRESET, STUDIO_PRESET) : List.of(SKETCH_PRESET);
    }

    /** Every prior's presets: "sketch" for each, "studio" for those with upsamplers. */
    public List<PresetInfo> presetInfos() {
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

    /** The reply to hello: these priors, their presets, and the limits, with the protocol version this side speaks. */
    public Capabilities capabilities(long req, String version) {
        return new Capabilities(req, version, Bounds.PROTOCOL_VERSION, List.copyOf(names()),
                presetInfos().stream().map(PresetInfo::name).distinct().toList(), limits());
    }

    public Priors priors(long req) {
        return new Priors(req, all().stream().map(e -> new PriorInfo(e.priorName(), e.levels(), e.sampleRate(),
                e.labels(), e.weightBytes(), e.loaded(), maxQuality(e))).toList());
    }

    /** The deepest tier {@code e} serves (tiers nest: full needs every upsampler draft needs). */
    static Quality maxQuality(ContinuationEngine e) {
        Quality deepest = Quality.SKETCH;
        for (Quality q : Quality.values()) {
            if (e.supports(q)) {
                deepest = q;
            }
        }
        return deepest;
    }

    /** The longest continuation any prior gives sets the length limits; with no prior, the protocol's own. */
    public Limits limits() {
        long seconds = (long) all().stream().mapToDouble(ContinuationEngine::maxContinuationSeconds).max()
                .orElse(Bounds.MAX_CONTINUATION_SECONDS);
        return new Limits(Bounds.MAX_MESSAGE_BYTES, Bounds.MAX_AUDIO_SECONDS, Bounds.MAX_CANDIDATES,
                (int) Math.min(Bounds.MAX_LENGTH_BARS, Math.max(1, seconds / 2)),
                (int) Math.min(Bounds.MAX_CONTINUATION_SECONDS, Math.max(1, seconds)),
                Outbox.MAX_UNREAD);
    }
}
