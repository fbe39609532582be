package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;
import java.util.List;

/** Reply to {@code list_jobs}: at most 128 jobs, newest first. */
public record Jobs(long req, List<JobInfo> jobs) implements Message {
    public Jobs {
        Check.req(req);
        jobs = Check.list("jobs", jobs, Bounds.MAX_LIST_ENTRIES);
    }

    @Override
    public MessageType type() {
        return MessageType.JOBS;
    }
}
