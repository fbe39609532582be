package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/**
 * The daemon's own limits, advertised in {@code capabilities}. Each is at most the protocol bound;
 * a daemon may be stricter (e.g. fewer candidates on a small GPU) and says so here.
 */
public record Limits(int maxMessageBytes, int maxPrimeSeconds, int maxCandidates, int maxLengthBars,
                     int maxLengthSeconds) {
    public Limits {
        Check.range("limits.max_message_bytes", maxMessageBytes, 1, Bounds.MAX_MESSAGE_BYTES);
        Check.range("limits.max_prime_seconds", maxPrimeSeconds, 1, Bounds.MAX_AUDIO_SECONDS);
        Check.range("limits.max_candidates", maxCandidates, 1, Bounds.MAX_CANDIDATES);
        Check.range("limits.max_length_bars", maxLengthBars, 1, (long) Bounds.MAX_LENGTH_BARS);
        Check.range("limits.max_length_seconds", maxLengthSeconds, 1, (long) Bounds.MAX_LENGTH_SECONDS);
    }

    /** The protocol's own bounds, for a daemon that imposes nothing stricter. */
    public static Limits protocolMaximum() {
        return new Limits(Bounds.MAX_MESSAGE_BYTES, Bounds.MAX_AUDIO_SECONDS, Bounds.MAX_CANDIDATES,
                (int) Bounds.MAX_LENGTH_BARS, (int) Bounds.MAX_LENGTH_SECONDS);
    }
}
