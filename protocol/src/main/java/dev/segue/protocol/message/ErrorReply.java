package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;

/**
 * The {@code error} message: a request failed, or a job ended without results.
 *
 * @param job the job concerned, or null when the error is about a request that made none
 */
public record ErrorReply(long req, String job, ErrorCode code, String text) implements Message {
    public ErrorReply {
        Check.req(req);
        if (job != null) {
            Check.jobId("job", job);
        }
        Check.present("code", code);
        Check.text("text", text, Bounds.MAX_TEXT_BYTES);
    }

    /** The reply to a message that failed to decode: echoes its req when known (else 0). */
    public static ErrorReply of(ProtocolException e) {
        return new ErrorReply(e.req().orElse(0), null, e.code(), Check.truncateUtf8(e.text(), Bounds.MAX_TEXT_BYTES));
    }

    @Override
    public MessageType type() {
        return MessageType.ERROR;
    }
}
