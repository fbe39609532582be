package dev.segue.engine.server;

import dev.segue.engine.monitor.MemoryStats;
import dev.segue.protocol.message.Stats;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The {@code stats} reply, gathered from what the daemon already keeps in memory: counters, the result store's
 * running total of bytes on disk, the JVM's own figures, and the resident set from {@code /proc} (a read of kernel
 * memory, not of the disk). Nothing here walks the data folder, so the socket thread may answer it.
 */
public final class DaemonStats {
    private static final List<BufferPoolMXBean> POOLS = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);

    private final long startNanos = System.nanoTime();

    Stats snapshot(long req, ResultStore store, int queued, int running, BadMessageLog bad, Outbox outbox) {
        long[] ended = store.endedSinceOpen();
        return snapshot(req, Math.max(0, store.dataBytes()), store.jobCount(), queued, running, ended, bad, outbox);
    }

    /** The same for a process whose jobs and takes are counted elsewhere (the cluster's gateway). */
    public Stats snapshot(long req, Front front, int queued) {
        return snapshot(req, 0, 0, queued, 0, new long[3], front.badMessages(), front.outbox());
    }

    private Stats snapshot(long req, long dataBytes, long dataJobs, int queued, int running, long[] ended,
                           BadMessageLog bad, Outbox outbox) {
        Runtime rt = Runtime.getRuntime();
        long direct = 0;
        for (BufferPoolMXBean pool : POOLS) {
            direct += Math.max(0, pool.getMemoryUsed());
        }
        return new Stats(req, (System.nanoTime() - startNanos) / 1_000_000, MemoryStats.residentBytes(),
                rt.totalMemory() - rt.freeMemory(), direct, dataBytes, dataJobs,
                queued, running, ended[0], ended[1], ended[2], bad.total(), outbox.skipped(), bad.unansweredTotal());
    }

}
