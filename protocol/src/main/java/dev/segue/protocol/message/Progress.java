package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/**
 * Sampling progress of a job at one prior level (all candidates are sampled as one batch).
 *
 * @param etaMs estimated milliseconds until {@code done}, uint32; {@link #ETA_UNKNOWN} before any estimate exists
 * @param stage optional: what the job waits for before its tokens, such as {@code "loading prior"}; null while
 *              it samples
 */
public record Progress(long req, String job, int level, long tokensDone, long tokensTotal, long etaMs, String stage)
        implements Message {
    /** {@code eta_ms} of a progress sent before the daemon can estimate (PROTOCOL.md §5.2): 0xFFFFFFFF. */
    public static final long ETA_UNKNOWN = Bounds.MAX_UINT32;

    public Progress(long req, String job, int level, long tokensDone, long tokensTotal, long etaMs) {
        this(req, job, level, tokensDone, tokensTotal, etaMs, null);
    }

    public Progress {
        if (stage != null) {
            Check.name("stage", stage);
        }
        Check.req(req);
        Check.jobId("job", job);
        Check.range("level", level, 0, Bounds.MAX_LEVELS - 1);
        Check.range("tokens_total", tokensTotal, 1, Bounds.MAX_UINT32);
        Check.range("tokens_done", tokensDone, 0, tokensTotal);
        Check.range("eta_ms", etaMs, 0, Bounds.MAX_UINT32);
    }

    @Override
    public MessageType type() {
        return MessageType.PROGRESS;
    }
}
