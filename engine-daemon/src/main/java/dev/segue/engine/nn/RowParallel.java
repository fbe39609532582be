package dev.segue.engine.nn;

import java.util.concurrent.locks.LockSupport;

/**
 * Splits row ranges across the calling thread and a few resident step threads. A memory-bound step is a
 * series of ~50 matrix-vector products of about a megabyte each; one core streams them at about half the
 * machine's bandwidth, and a thread-pool handoff (tens of microseconds) would cost as much as the work.
 * Step threads therefore spin between tasks while a sampling session is busy and park after a short idle spell.
 */
public final class RowParallel implements AutoCloseable {
    private static final long SPIN_BEFORE_PARK_NANOS = 2_000_000;

    @FunctionalInterface
    public interface RowTask {
        void rows(int from, int to);
    }

    private final StepThread[] helpers;

    public RowParallel(int threads) {
        helpers = new StepThread[Math.max(0, threads - 1)];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new StepThread("segue-step-" + (i + 1));
            helpers[i].thread.start();
        }
    }

    /**
     * Threads for this machine: one core fewer than it has, at most 4 (more only adds handoff cost at these sizes), or
     * {@code -Dsegue.step.threads=N} (or the environment's {@code SEGUE_STEP_THREADS}, which reaches it through
     * {@code ./segue}). One core stays free for everything else (the daemon's socket thread, the DAW):
     * every matrix product ends at a barrier, so when another process takes a core from one of the threads, the
     * others spin until it is scheduled again, and a step that takes a millisecond on an idle machine took tens.
     */
    public static int defaultThreads() {
        Integer asked = Integer.getInteger("segue.step.threads");
        if (asked == null && System.getenv("SEGUE_STEP_THREADS") != null) {
            try {
                asked = Integer.valueOf(System.getenv("SEGUE_STEP_THREADS").trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("SEGUE_STEP_THREADS must be a whole number of threads, got '"
                        + System.getenv("SEGUE_STEP_THREADS") + "'");
            }
        }
        if (asked != null) {
            return Math.max(1, Math.min(64, asked));
        }
        return Math.min(4, Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
    }

    /** Runs {@code task} over [0, units), split evenly between the caller and the other step threads. */
    public void runUnits(int units, RowTask task) {
        int rows = units;
        int parts = helpers.length + 1;
        if (units < 2 || parts == 1) {
            task.rows(0, rows);
            return;
        }
        int per = (rows + parts - 1) / parts;
        for (int i = 0; i < helpers.length; i++) {
            int from = Math.min(rows, (i + 1) * per);
            int to = Math.min(rows, (i + 2) * per);
            helpers[i].post(task, from, to);
        }
        task.rows(0, Math.min(rows, per));
        for (StepThread w : helpers) {
            w.awaitDone();
        }
    }

    @Override
    public void close() {
        for (StepThread w : helpers) {
            w.closed = true;
            LockSupport.unpark(w.thread);
        }
    }

    private static final class StepThread implements Runnable {
        final Thread thread;
        private RowTask task;
        private int from;
        private int to;
        private volatile long posted;
        private volatile long finished;
        private volatile boolean parked;
        private volatile boolean closed;
        private volatile Throwable failure;

        StepThread(String name) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        void post(RowTask t, int f, int e) {
            task = t;
            from = f;
            to = e;
            posted = posted + 1; // volatile write publishes the fields above
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        void awaitDone() {
            int spins = 0;
            while (finished != posted) {
                // On a loaded machine a step thread may be descheduled: stop burning the core it needs.
                if (++spins > 2_000) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
            Throwable t = failure;
            if (t != null) {
                failure = null;
                throw new IllegalStateException("step thread failed", t);
            }
        }

        @Override
        public void run() {
            long seen = 0;
            long idleSince = System.nanoTime();
            while (!closed) {
                long p = posted;
                if (p != seen) {
                    seen = p;
                    try {
                        task.rows(from, to);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    finished = seen;
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince > SPIN_BEFORE_PARK_NANOS) {
                    parked = true;
                    if (posted == seen && !closed) {
                        LockSupport.parkNanos(this, 100_000_000);
                    }
                    parked = false;
                    idleSince = System.nanoTime();
                } else {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
