package dev.segue.bridge.client;

import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.ErrorReply;

/**
 * A call to the daemon failed. Three causes, told apart by {@link #kind()}: the daemon answered
 * with an {@code error} (its code and text are kept as sent), the daemon did not answer in time
 * (not running, or gone), or the daemon sent something the protocol does not allow.
 */
public final class DaemonException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The daemon replied with an {@code error} message; {@link #code()} is its code. */
        ERROR_REPLY,
        /** No reply within the timeout, or the daemon stopped answering heartbeats. */
        TIMEOUT,
        /** The daemon's messages broke the protocol (e.g. a result chunk that contradicts another). */
        BAD_REPLY
    }

    private final Kind kind;
    private final ErrorCode code;
    private final String text;
    private final String job;

    private DaemonException(Kind kind, ErrorCode code, String text, String job) {
        super(code != null ? code + ": " + text : kind + ": " + text);
        this.kind = kind;
        this.code = code;
        this.text = text;
        this.job = job;
    }

    /** The daemon answered {@code error} with this code and text. */
    public DaemonException(ErrorCode code, String text) {
        this(Kind.ERROR_REPLY, code, text, null);
    }

    static DaemonException of(ErrorReply e) {
        return new DaemonException(Kind.ERROR_REPLY, e.code(), e.text(), e.job());
    }

    static DaemonException timeout(String text) {
        return new DaemonException(Kind.TIMEOUT, null, text, null);
    }

    static DaemonException badReply(String text) {
        return new DaemonException(Kind.BAD_REPLY, null, text, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The daemon's error code; null unless {@link #kind()} is {@link Kind#ERROR_REPLY}. */
    public ErrorCode code() {
        return code;
    }

    /** The daemon's text, or what the client observed. */
    public String text() {
        return text;
    }

    /** The job the daemon's error names, or null. */
    public String job() {
        return job;
    }
}
