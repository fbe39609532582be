package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/**
 * The daemon's own limits, advertised in {@code capabilities}. Each is at most the protocol bound;
 * a daemon may be stricter (e.g. fewer candidates on a small GPU) and says so here.
 *
 * @param maxUnread optional ({@code null} when absent): replies the daemon keeps waiting for a client that is not
 *     reading before it answers that client's next request {@code QUEUE_FULL} (PROTOCOL.md §4, flow control)
 */
public record Limits(int maxMessageBytes, int maxPrimeSeconds, int maxCandidates, int maxLengthBars,
                     int maxLengthSeconds, Integer maxUnread) {
    public Limits(int maxMessageBytes, int maxPrimeSeconds, int maxCandidates, int maxLengthBars, int maxLengthSeconds) {
        this(maxMessageBytes, maxPrimeSeconds, maxCandidates, maxLengthBars, maxLengthSeconds, null);
    }

    public Limits {
        if (maxUnread != null) {
            Check.range("limits.max_unread", maxUnread, 1, Bounds.MAX_UINT32);
        }
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
