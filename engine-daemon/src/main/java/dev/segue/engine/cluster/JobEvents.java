package dev.segue.engine.cluster;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.Audio;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import java.util.function.BooleanSupplier;

/**
 * A running job's monitor, published on the job's events subject as protocol messages with req 0 (the gateway
 * puts each attached client's req in): progress at most every 50 ms and at a level's end, previews as they
 * come. Core NATS, at most once: a lost progress message is replaced by the next, and results never travel
 * here (they come from the object store once the record says done). The end of a job is one message with a
 * {@code Segue-End} header and no body.
 */
final class JobEvents implements Monitor {
    private static final long PROGRESS_EVERY_MILLIS = 50;

    private final Connection nc;
    private final String job;
    private final String subject;
    private final int rate;
    private final BooleanSupplier cancelled;
    private long lastProgress;
    private long levelStartNanos = System.nanoTime();
    private int level = -1;

    JobEvents(Connection nc, String job, int rate, BooleanSupplier cancelled) {
        this.nc = nc;
        this.job = job;
        this.subject = Names.events(job);
        this.rate = rate;
        this.cancelled = cancelled;
    }

    @Override
    public void progress(int level, long done, long total) {
        long now = System.currentTimeMillis();
        if (this.level != level) { // a new level: its own token rate
            this.level = level;
            levelStartNanos = System.nanoTime();
        }
        if (done == total || now - lastProgress >= PROGRESS_EVERY_MILLIS) {
            lastProgress = now;
            long elapsedMs = (System.nanoTime() - levelStartNanos) / 1_000_000;
            long eta = done <= 0 ? 0 : Math.min(0xFFFF_FFFFL, elapsedMs * (total - Math.min(done, total)) / done);
            nc.publish(subject, Frames.pack(new Progress(0, job, level, Math.min(done, total), Math.max(1, total), eta)));
        }
    }

    @Override
    public boolean cancelled() {
        return cancelled.getAsBoolean();
    }

    @Override
    public void preview(int candidate, long offsetFrames, float[] audio) {
        if (audio.length == 0) {
            return;
        }
        byte[] packed = Frames.pack(new Preview(0, job, candidate, rate, offsetFrames, Audio.of(1, audio)));
        if (packed.length <= nc.getMaxPayload()) { // a preview over NATS's payload bound is skipped: results follow
            nc.publish(subject, packed);
        }
    }

    /** The job has a final record: {@code done}, {@code failed} or {@code cancelled}. */
    static void end(Connection nc, String job, String state) {
        nc.publish(Names.events(job), new Headers().put("Segue-End", state), new byte[0]);
    }
}
