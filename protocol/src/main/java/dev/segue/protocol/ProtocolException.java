package dev.segue.protocol;

import java.util.OptionalLong;

/**
 * A message that breaks the protocol. Thrown by the decoder for any bad input and by message
 * constructors for out-of-bounds values, so an invalid message can neither be read nor built.
 * Unchecked because construction sites (tests, the daemon's reply builders) should not need
 * try/catch for values they know are valid; the daemon's receive loop catches it explicitly.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final long NO_REQ = -1;

    private final ErrorCode code;
    private final String text;
    private final long req;

    public ProtocolException(ErrorCode code, String text) {
        this(code, text, NO_REQ, null);
    }

    private ProtocolException(ErrorCode code, String text, long req, Throwable cause) {
        super(code + ": " + text, cause);
        this.code = code;
        this.text = text;
        this.req = req;
    }

    /** Wraps a lower-level failure (e.g. malformed msgpack) so callers see one exception type. */
    static ProtocolException wrap(ErrorCode code, String text, Throwable cause) {
        return new ProtocolException(code, text, NO_REQ, cause);
    }

    public ErrorCode code() {
        return code;
    }

    /** Human-readable reason; names the offending field, e.g. {@code context.sample_rate: ...}. */
    public String text() {
        return text;
    }

    /**
     * The request id of the bad message, when its header was readable that far, so the daemon
     * can address the {@code error} reply to the right request.
     */
    public OptionalLong req() {
        return req == NO_REQ ? OptionalLong.empty() : OptionalLong.of(req);
    }

    /** The same failure, tagged with the request id read from the header. */
    ProtocolException withReq(long r) {
        return new ProtocolException(code, text, r, this);
    }
}
