package dev.segue.protocol.message;

import dev.segue.protocol.Check;

/**
 * Liveness, both directions. The receiver answers with the same req and tMs, so the sender can
 * measure the round trip against its own clock.
 *
 * @param tMs the sender's monotonic clock in milliseconds, 0..2^63-1
 */
public record Heartbeat(long req, long tMs) implements Message {
    public Heartbeat {
        Check.req(req);
        Check.range("t_ms", tMs, 0, Long.MAX_VALUE);
    }

    @Override
    public MessageType type() {
        return MessageType.HEARTBEAT;
    }
}
