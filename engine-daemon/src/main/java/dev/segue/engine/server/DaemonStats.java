package dev.segue.engine.server;

import dev.segue.protocol.message.Stats;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code stats} reply, gathered from what the daemon already keeps in memory: counters, the result store's
 * running total of bytes on disk, the JVM's own figures, and the resident set from {@code /proc} (a read of kernel
 * memory, not of the disk). Nothing here walks the data folder, so the socket thread may answer it.
 */
public final class DaemonStats {
    private static final Path STATUS = Path.of("/proc/self/status");
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
        return new Stats(req, (System.nanoTime() - startNanos) / 1_000_000, residentBytes(),
                rt.totalMemory() - rt.freeMemory(), direct, dataBytes, dataJobs,
                queued, running, ended[0], ended[1], ended[2], bad.total(), outbox.skipped(), bad.unansweredTotal());
    }

    /** VmRSS from /proc/self/status; 0 where there is no such file (not Linux). */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
