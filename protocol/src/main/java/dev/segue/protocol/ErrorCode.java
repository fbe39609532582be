package dev.segue.protocol;

import java.util.Optional;

/**
 * The closed set of error codes of protocol version 1. The wire form is the constant's name.
 * Adding a code is a protocol version bump, so a peer never has to guess what an unknown code means.
 */
public enum ErrorCode {
    /** Not a well-formed message: bad msgpack, wrong field type, missing field, value out of range. */
    BAD_MESSAGE,
    /** The header's {@code v} is a version this peer does not speak. */
    UNSUPPORTED_VERSION,
    /** A size bound was exceeded: bytes, string lengths, list counts, audio or continuation duration. */
    TOO_LARGE,
    UNKNOWN_PRIOR,
    UNKNOWN_PRESET,
    /** A sample rate outside 8000..192000 Hz, or one the prior cannot serve. */
    BAD_SAMPLE_RATE,
    /** Audio samples that are NaN or infinite. */
    BAD_AUDIO,
    QUEUE_FULL,
    UNKNOWN_JOB,
    CANCELLED,
    INTERNAL;

    /** The code for a wire string, or empty when it is not a version-1 code (matching is exact). */
    public static Optional<ErrorCode> fromWire(String s) {
        for (ErrorCode c : values()) {
            if (c.name().equals(s)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
