package dev.segue.engine.server;

import dev.segue.engine.monitor.Monitor;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Quality;

/**
 * The model side as the server sees it: plain audio in, plain audio out. The server knows nothing of
 * tensors; the daemon command wires an implementation backed by the engine.
 */
public interface ContinuationEngine {
    String priorName();

    int sampleRate();

    int levels();

    boolean labels();

    /** Whether this engine has the priors for a quality tier (sketch: the top; draft, full: upsamplers too). */
    default boolean supports(dev.segue.protocol.message.Quality quality) {
        return quality == dev.segue.protocol.message.Quality.SKETCH;
    }

    /** Whether the prior is conditioned on lyrics. */
    default boolean lyrics() {
        return false;
    }

    /**
     * Refuses (with {@code ProtocolException} BAD_MESSAGE naming {@code request.<kind>}) an artist or genre name
     * this prior does not know. Priors without name lists know none.
     */
    default void checkLabel(String kind, String name) {
        throw new dev.segue.protocol.ProtocolException(dev.segue.protocol.ErrorCode.BAD_MESSAGE, "request." + kind
                + ": prior '" + priorName() + "' ships no " + kind + " list; leave " + kind + " out for its neutral label");
    }

    /**
     * The prior's artist or genre names, in its list's order, as a request may name them; empty when the prior
     * ships no list of that kind (or takes no labels at all).
     */
    default java.util.List<String> labelNames(dev.segue.protocol.message.LabelKind kind) {
        return java.util.List.of();
    }

    /**
     * Refuses (with {@code ProtocolException} BAD_MESSAGE naming {@code request.lyrics}) lyrics this prior
     * cannot read: characters outside its vocabulary, or too long. Called only when {@link #lyrics()}.
     */
    default void checkLyrics(String lyrics) {}

    /** The shortest prime the model can encode: one hop of its top level. */
    default double minPrimeSeconds() {
        return 0;
    }

    /** Memory the prior takes when loaded, for the {@code priors} listing; null when not known. */
    default Long weightBytes() {
        return null;
    }

    /** Whether the prior is in memory now; null for an engine that is always loaded. */
    default Boolean loaded() {
        return null;
    }

    /**
     * Refuses (with {@code ProtocolException} TOO_LARGE) a job of {@code takes} takes at {@code quality} that can never
     * run under the memory budget: the prior itself too large, or with the job's key/value caches beside it.
     */
    default void checkFits(int takes, Quality quality) {}

    /** The longest continuation one request may ask for. */
    double maxContinuationSeconds();

    /**
     * A mono prime at {@code sampleRate} (any rate the protocol allows; the model's own rate is
     * {@link #sampleRate()}) to {@code candidates} mono takes of exactly {@code frames} samples at that same
     * rate, each starting at the sample after the prime's last, with, per take, an opaque state the engine can
     * extend from later. Previews are at that rate too.
     *
     * <p>{@code context} is the DAW's (tempo, time signature, the prime's first bar), or null when no grid is
     * known: an engine whose model keeps time follows that grid, one that does not ignores it. This is the one
     * call an engine implements, so a wrapper that forwards it cannot lose the context on the way.
     */
    Takes continueTakes(float[] monoPrime, int sampleRate, long frames, GenerationRequest request, DawContext context,
                        Monitor monitor);

    /**
     * Takes and, per take, an opaque state the engine can extend from later ({@code null} entries where it
     * keeps none). The server stores the state beside the take and never looks inside.
     */
    record Takes(float[][] audio, byte[][] state) {}

    /** As {@link #continueTakes(float[], int, long, GenerationRequest, DawContext, Monitor)} with no grid known. */
    default Takes continueTakes(float[] monoPrime, int sampleRate, long frames, GenerationRequest request, Monitor monitor) {
        return continueTakes(monoPrime, sampleRate, frames, request, null, monitor);
    }

    /** The takes' audio alone, with no grid known. */
    default float[][] continueAudio(float[] monoPrime, int sampleRate, long frames, GenerationRequest request,
                                    Monitor monitor) {
        return continueTakes(monoPrime, sampleRate, frames, request, null, monitor).audio();
    }

    /**
     * One take continued by {@code frames} samples at {@code sampleRate}: only the new audio, starting at the
     * sample after {@code previousTake}'s last. {@code state} is what {@link #continueTakes} (or an earlier
     * extend) returned for that take.
     */
    default Takes extend(byte[] state, float[] previousTake, int sampleRate, long frames, Monitor monitor) {
        throw new IllegalArgumentException("this engine cannot extend takes");
    }
}
