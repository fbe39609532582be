package dev.segue.protocol.message;

import dev.segue.protocol.Check;

/** Re-send a finished job's results (all result chunks, then done), e.g. after a reconnect. */
public record Fetch(long req, String job) implements Message {
    public Fetch {
        Check.req(req);
        Check.jobId("job", job);
    }

    @Override
    public MessageType type() {
        return MessageType.FETCH;
    }
}
