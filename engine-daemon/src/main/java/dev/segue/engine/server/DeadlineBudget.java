package dev.segue.engine.server;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real-time budget for the threads that answer clients (the socket thread and ZeroMQ's I/O threads): Linux's
 * {@code SCHED_DEADLINE} with {@link #RUNTIME_NS} of CPU in every {@link #PERIOD_NS}.
 *
 * <p>Why: on two cores busy with a job, a thread at the normal policy, even at nice -5, waits for a core behind
 * the job's threads, and a heartbeat's round trip passes three such threads (the client's I/O thread, the daemon's
 * I/O thread, the socket thread) each way: p99 about 10 ms. A deadline thread runs as soon as it wakes, ahead of
 * every normal thread. Plain real-time ({@code SCHED_RR}) did the same but has no budget of its own: a client
 * flooding the socket with requests kept both cores on the socket and I/O threads, and the client, at the normal
 * policy, got no core to read its replies. Here the kernel throttles a thread that used its runtime until the next
 * period, so these threads can never take more than {@code RUNTIME_NS / PERIOD_NS} of a core each, and answering
 * costs tens of microseconds, far inside the budget.
 *
 * <p>It needs Linux and {@code CAP_SYS_NICE} (root, or a service granted the capability); anywhere else, or when
 * the kernel refuses (admission control, a restricted CPU set), the thread keeps its policy, and the first
 * refusal is logged once. {@code -Dsegue.deadline=false} turns it off. {@code SCHED_FLAG_RESET_ON_FORK} is set:
 * a thread this one starts begins at the normal policy (a deadline thread could not start one otherwise).
 */
public final class DeadlineBudget {
    /** CPU time a thread may use in each period before it waits for the next one. */
    public static final long RUNTIME_NS = 2_000_000;
    /** The period, which is also the deadline: a woken thread is served within it. */
    public static final long PERIOD_NS = 10_000_000;

    private static final Logger LOG = LoggerFactory.getLogger(DeadlineBudget.class);
    private static final int SCHED_DEADLINE = 6;
    private static final long SCHED_FLAG_RESET_ON_FORK = 0x01;
    /** {@code struct sched_attr} up to {@code sched_period} (SCHED_ATTR_SIZE_VER0). */
    private static final int ATTR_SIZE = 48;
    private static volatile boolean refusalLogged;

    private DeadlineBudget() {}

    interface LibC extends Library {
        long syscall(long number, Object... args);
    }

    /** The syscall number of {@code sched_setattr} on this machine, or -1 where it is not known. */
    private static long setattrNumber() {
        if (!Platform.isLinux()) {
            return -1;
        }
        return Platform.isIntel() && Platform.is64Bit() ? 314 : Platform.isARM() && Platform.is64Bit() ? 274 : -1;
    }

    /**
     * Puts the calling thread on the budget. Returns true when the kernel took it, false when this thread keeps
     * its policy (turned off, not Linux, no permission); never throws.
     */
    public static boolean applyToCurrentThread() {
        if (!Boolean.parseBoolean(System.getProperty("segue.deadline", "true"))) {
            return false;
        }
        long number = setattrNumber();
        if (number < 0) {
            return false;
        }
        try {
            LibC libc = Holder.LIBC;
            Memory attr = new Memory(ATTR_SIZE);
            attr.clear();
            attr.setInt(0, ATTR_SIZE);
            attr.setInt(4, SCHED_DEADLINE);
            attr.setLong(8, SCHED_FLAG_RESET_ON_FORK);
            attr.setLong(24, RUNTIME_NS);
            attr.setLong(32, PERIOD_NS);
            attr.setLong(40, PERIOD_NS);
            long rc = libc.syscall(number, 0L, attr, 0L); // pid 0: the calling thread; flags 0
            if (rc == 0) {
                return true;
            }
            logRefusal("sched_setattr returned errno " + Native.getLastError());
        } catch (LinkageError | RuntimeException e) {
            logRefusal(e.toString());
        }
        return false;
    }

    private static void logRefusal(String why) {
        if (!refusalLogged) {
            refusalLogged = true;
            LOG.info("the socket and I/O threads run without a real-time budget ({}); answers may wait for a core "
                    + "behind a running job (needs Linux and CAP_SYS_NICE)", why);
        }
    }

    /** libc, loaded on first use only, so a machine without it never pays for the attempt. */
    private static final class Holder {
        static final LibC LIBC = Native.load("c", LibC.class);
    }
}
