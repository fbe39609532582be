package dev.segue.protocol.message;

import dev.segue.protocol.Check;

/** Asks for the daemon's counters and its use of memory and disk ({@code stats}). */
public record GetStats(long req) implements Message {
    public GetStats {
        Check.req(req);
    }

    @Override
    public MessageType type() {
        return MessageType.GET_STATS;
    }
}
