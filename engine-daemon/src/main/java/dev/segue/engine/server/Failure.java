package dev.segue.engine.server;

import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;

/**
 * Why a job that ran stopped on an error, as its clients are told and its record keeps it. Input the engine found bad
 * only once it ran (a take that cannot be extended, an argument out of its range) is the client's to fix:
 * {@code BAD_MESSAGE} (or the code the engine gave) with the engine's reason. Anything else is the service's fault:
 * {@code INTERNAL}. The lone daemon's runner and the cluster's workers both name failures with this.
 */
public record Failure(ErrorCode code, String reason) {

    public static Failure of(Exception e) {
        if (e instanceof ProtocolException p) {
            return new Failure(p.code(), p.text());
        }
        if (e instanceof IllegalArgumentException) {
            return new Failure(ErrorCode.BAD_MESSAGE, String.valueOf(e.getMessage()));
        }
        return new Failure(ErrorCode.INTERNAL, "the engine failed: " + e.getMessage());
    }
}
