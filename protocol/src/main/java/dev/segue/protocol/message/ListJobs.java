package dev.segue.protocol.message;

import dev.segue.protocol.Check;

/** Asks for the daemon's most recent jobs, newest first ({@code jobs}). */
public record ListJobs(long req) implements Message {
    public ListJobs {
        Check.req(req);
    }

    @Override
    public MessageType type() {
        return MessageType.LIST_JOBS;
    }
}
