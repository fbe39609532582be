package dev.segue.engine.server;

import dev.segue.engine.monitor.Monitor;
import dev.segue.protocol.Audio;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * A running job's progress, stages and previews as protocol messages: progress at most every 50 ms and at a level's
 * end, with this level's estimated time left ({@link Progress#ETA_UNKNOWN} until the level has made a token), and
 * previews as the engine gives them. Each message is made per client by {@code toAll}, with that client's req: the
 * lone daemon sends them to every attached client; a cluster's worker publishes them once, with req 0, for its gateway.
 */
public final class JobMonitor implements Monitor {
    private static final long PROGRESS_EVERY_MILLIS = 50;

    private final String job;
    private final int rate;
    private final BooleanSupplier cancelled;
    private final Consumer<LongFunction<Message>> toAll;
    private long lastProgress;
    private long levelStart;
    private long levelFirstDone;
    private int level = -1;

    public JobMonitor(String job, int rate, BooleanSupplier cancelled, Consumer<LongFunction<Message>> toAll) {
        this.job = job;
        this.rate = rate;
        this.cancelled = cancelled;
        this.toAll = toAll;
    }

    @Override
    public void progress(int atLevel, long done, long total) {
        long now = System.currentTimeMillis();
        if (level != atLevel) { // a new level: its own token rate, from its first report on
            levelStart = System.nanoTime();
            levelFirstDone = done;
            level = atLevel;
        }
        if (done == total || now - lastProgress >= PROGRESS_EVERY_MILLIS) {
            lastProgress = now;
            long elapsedMs = (System.nanoTime() - levelStart) / 1_000_000;
            long d = Math.min(done, total);
            long t = Math.max(1, total);
            long made = d - levelFirstDone;
            // This level's remaining tokens at its rate so far; lower levels are not known yet. Until the level has
            // made a token there is no rate to go by: unknown, not 0.
            long eta = made <= 0 ? (d >= t ? 0 : Progress.ETA_UNKNOWN)
                    : Math.min(Progress.ETA_UNKNOWN - 1, elapsedMs * (t - d) / made);
            toAll.accept(req -> new Progress(req, job, atLevel, d, t, eta));
        }
    }

    @Override
    public boolean cancelled() {
        return cancelled.getAsBoolean();
    }

    @Override
    public void stage(int atLevel, String stage) {
        toAll.accept(req -> new Progress(req, job, atLevel, 0, 1, Progress.ETA_UNKNOWN, stage));
    }

    @Override
    public void preview(int candidate, long offsetFrames, float[] audio) {
        if (audio.length > 0) {
            toAll.accept(req -> new Preview(req, job, candidate, rate, offsetFrames, Audio.of(1, audio)));
        }
    }
}
