package dev.segue.protocol.message;

import dev.segue.protocol.Check;

/** The daemon queued a {@code submit} or {@code extend} as job {@code job}. */
public record Accepted(long req, String job) implements Message {
    public Accepted {
        Check.req(req);
        Check.jobId("job", job);
    }

    @Override
    public MessageType type() {
        return MessageType.ACCEPTED;
    }
}
