package dev.segue.protocol.message;

import dev.segue.protocol.Check;

/** Stop a job; the daemon answers with an error CANCELLED for that job (or UNKNOWN_JOB). */
public record Cancel(long req, String job) implements Message {
    public Cancel {
        Check.req(req);
        Check.jobId("job", job);
    }

    @Override
    public MessageType type() {
        return MessageType.CANCEL;
    }
}
