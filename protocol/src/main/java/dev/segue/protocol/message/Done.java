package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/** Every result of the job has been sent and is stored on disk (fetchable after a restart). */
public record Done(long req, String job, int candidates) implements Message {
    public Done {
        Check.req(req);
        Check.jobId("job", job);
        Check.range("candidates", candidates, 1, Bounds.MAX_CANDIDATES);
    }

    @Override
    public MessageType type() {
        return MessageType.DONE;
    }
}
