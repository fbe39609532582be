package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/**
 * Continue one finished candidate further. The daemon answers with a new job whose results hold
 * only the new audio, starting where the candidate ended.
 */
public record Extend(long req, String job, int candidate, Length length) implements Message {
    public Extend {
        Check.req(req);
        Check.jobId("job", job);
        Check.range("candidate", candidate, 0, Bounds.MAX_CANDIDATES - 1);
        Length.check("", length);
    }

    @Override
    public MessageType type() {
        return MessageType.EXTEND;
    }
}
