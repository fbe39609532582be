package dev.segue.engine.cluster;

import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;

/**
 * The checks a lone daemon makes of a submit before accepting it, made by the gateway against the prior a
 * live worker announced, so that a client gets the same refusal, with the same code and text, either way.
 * The rules are the daemon's (server/Daemon#submit); they belong in one shared admission class once the
 * daemon has one.
 */
final class SubmitCheck {
    private SubmitCheck() {}

    /** Refuses what the prior cannot do; returns the continuation's length in frames at the client's rate. */
    static long check(ContinuationEngine engine, Submit s) {
        GenerationRequest request = s.request();
        if (!Catalog.presetNames(engine).contains(request.preset())) {
            throw new ProtocolException(ErrorCode.UNKNOWN_PRESET, "no preset '" + request.preset() + "' for prior '"
                    + engine.priorName() + "'; it has " + Catalog.presetNames(engine));
        }
        String quality = request.quality().name().toLowerCase(java.util.Locale.ROOT);
        if (!engine.supports(request.quality())) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request.quality: '" + quality + "' needs upsampler "
                    + "priors that '" + engine.priorName() + "' does not have; ask for 'sketch'");
        }
        if (Catalog.SKETCH_PRESET.equals(request.preset()) && request.quality() != Quality.SKETCH) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request.quality: preset 'sketch' does only 'sketch'; "
                    + "use preset '" + Catalog.STUDIO_PRESET + "' for '" + quality + "'");
        }
        dev.segue.engine.server.Admission.checkLabels(engine, request);
        double primeSeconds = s.prime().frames() / (double) s.context().sampleRate();
        if (primeSeconds < engine.minPrimeSeconds()) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, String.format(java.util.Locale.ROOT, "context.frames: a "
                    + "prime of %.4f s is too short to encode; this prior needs at least %.4f s", primeSeconds,
                    engine.minPrimeSeconds()));
        }
        int depth = switch (request.quality()) {
            case SKETCH -> 1;
            case DRAFT -> Math.min(2, engine.levels());
            case FULL -> engine.levels();
        };
        int temperatures = request.temperatures().size();
        if (temperatures < depth || temperatures > engine.levels()) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request.temperatures: " + temperatures + " given; '"
                    + quality + "' samples " + depth + " level(s) and this prior has " + engine.levels());
        }
        int rate = s.context().sampleRate();
        double seconds = request.length() instanceof Length.Bars bars ? s.context().secondsForBars(bars.bars())
                : ((Length.Seconds) request.length()).seconds();
        long frames = (long) Math.floor(seconds * rate + 0.5);
        if (frames < 1 || seconds > engine.maxContinuationSeconds()) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "a continuation of " + seconds + " s; this prior gives "
                    + "at most " + engine.maxContinuationSeconds() + " s per request");
        }
        return frames;
    }
}
