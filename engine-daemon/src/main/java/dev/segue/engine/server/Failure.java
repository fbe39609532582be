package dev.segue.engine.server;

import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;

/**
 * Why a job that ran stopped on an error, as its clients are told and its record keeps it. Input the engine found bad
 * only once it ran (a take that cannot be extended, a prior that cannot fit the memory budget) is the client's to
 * fix, and the engine says so with a {@link ProtocolException}: its code (usually {@code BAD_MESSAGE}) and its reason,
 * which names the field. Anything else, an {@code IllegalArgumentException} from a check inside the engine included,
 * is the service's fault: {@code INTERNAL}. Admission checks every submit and extend before a job is made, so a
 * check that fires inside a running job guards the engine's own invariants. The lone daemon's runner and the
 * cluster's workers both name failures with this.
 */
public record Failure(ErrorCode code, String reason) {

    public static Failure of(Exception e) {
        if (e instanceof ProtocolException p) {
            return new Failure(p.code(), p.text());
        }
        return new Failure(ErrorCode.INTERNAL, "the engine failed: " + e.getMessage());
    }
}
