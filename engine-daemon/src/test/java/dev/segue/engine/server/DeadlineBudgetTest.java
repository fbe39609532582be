package dev.segue.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The kernel's own view of the answering threads' scheduling ({@code /proc/thread-self/stat}, field 41 the policy;
 * {@code chrt -p} the deadline parameters): the budget is what {@link DeadlineBudget} says, or the thread is left
 * exactly as it was.
 */
@EnabledOnOs(OS.LINUX)
class DeadlineBudgetTest {
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_DEADLINE = 6;

    @Test
    void aThreadGetsTheBudgetOrKeepsItsPolicyAndThreadsItStartsAreNormal() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        CountDownLatch measured = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                int before = policy();
                boolean applied = DeadlineBudget.applyToCurrentThread();
                int after = policy();
                String tid = Path.of("/proc/thread-self").toRealPath().getFileName().toString();
                int[] child = new int[1];
                Thread c = new Thread(() -> child[0] = policyOrMinusOne());
                c.start();
                c.join();
                seen.set(before + " " + applied + " " + after + " " + child[0] + " " + tid);
            } catch (Exception e) {
                seen.set(e.toString());
            } finally {
                measured.countDown();
            }
            try {
                checked.await(); // alive (and on its policy) while the test reads its parameters
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        try {
            assertTrue(measured.await(10, TimeUnit.SECONDS));
            String[] f = seen.get().split(" ");
            assertEquals(SCHED_OTHER, Integer.parseInt(f[0]), seen.get());
            if (Boolean.parseBoolean(f[1])) {
                assertEquals(SCHED_DEADLINE, Integer.parseInt(f[2]), "applied, so the kernel must say deadline: "
                        + seen.get());
                String chrt = run("chrt", "-p", f[4]);
                assertTrue(chrt.contains(DeadlineBudget.RUNTIME_NS + "/" + DeadlineBudget.PERIOD_NS + "/"
                        + DeadlineBudget.PERIOD_NS), chrt);
                assertEquals(SCHED_OTHER, Integer.parseInt(f[3]), "a thread it starts begins at the normal policy");
            } else {
                assertEquals(SCHED_OTHER, Integer.parseInt(f[2]), "not applied, so the policy must be unchanged");
            }
        } finally {
            checked.countDown();
            t.join(10_000);
        }
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void turnedOffItLeavesTheThreadAlone() throws Exception {
        String old = System.setProperty("segue.deadline", "false");
        try {
            int[] r = new int[2];
            Thread t = new Thread(() -> {
                r[0] = DeadlineBudget.applyToCurrentThread() ? 1 : 0;
                r[1] = policyOrMinusOne();
            });
            t.start();
            t.join(10_000);
            assertEquals(0, r[0]);
            assertEquals(SCHED_OTHER, r[1]);
        } finally {
            if (old == null) {
                System.clearProperty("segue.deadline");
            } else {
                System.setProperty("segue.deadline", old);
            }
        }
    }

    private static int policyOrMinusOne() {
        try {
            return policy();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Field 41 of /proc/thread-self/stat; the command name (field 2) may hold spaces, so count after its ')'. */
    private static int policy() throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Integer.parseInt(rest[41 - 3]);
    }
}
