package dev.segue.bridge.cli;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.DaemonException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Starts a local daemon when none answers, so `segue continue` works on a fresh machine without a second
 * terminal. Only for loopback endpoints and only through the launcher (it knows where ./segue is); the
 * daemon is started detached and keeps running for later commands, as a resident daemon should.
 */
final class DaemonStarter {
    private static final Duration PROBE = Duration.ofMillis(1500);
    /** Loading the priors takes a few seconds; the reference-size ones far longer. */
    private static final Duration START_LIMIT = Duration.ofSeconds(180);

    private DaemonStarter() {}

    /** True when a daemon answers hello at {@code endpoint} within a short probe. */
    static boolean answers(String endpoint) {
        try (DaemonClient probe = new DaemonClient(endpoint, PROBE, Duration.ofSeconds(30))) {
            probe.hello(ConnectionOptions.CLIENT_NAME + "-probe");
            return true;
        } catch (DaemonException e) {
            return e.kind() != DaemonException.Kind.TIMEOUT; // an error reply still means someone is there
        }
    }

    static boolean isLoopbackTcp(String endpoint) {
        return endpoint.startsWith("tcp://127.0.0.1:") || endpoint.startsWith("tcp://localhost:");
    }

    /** Whether this process can start a daemon: it was run through the launcher, which says where it is. */
    static boolean canStart() {
        String home = System.getProperty("segue.home");
        return home != null && Files.isExecutable(Path.of(home, "segue"));
    }

    /** Starts `segue daemon --endpoint E` detached and waits until it answers; throws a UsageError if it cannot. */
    static void start(String endpoint, PrintWriter err) {
        String home = System.getProperty("segue.home");
        Path log = Path.of(home, ".segue-data", "daemon.log");
        Process daemon;
        try {
            Files.createDirectories(log.getParent());
            // setsid: the daemon outlives this command and is not killed by the terminal's Ctrl-C.
            daemon = new ProcessBuilder(List.of("setsid", Path.of(home, "segue").toString(), "daemon", "--endpoint", endpoint))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UsageError("no daemon answers at " + endpoint + " and starting one failed: " + e.getMessage());
        }
        err.println("segue: no daemon answered at " + endpoint + "; started one (log: " + log + ")");
        err.flush();
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (answers(endpoint)) {
                return;
            }
            if (!daemon.isAlive()) {
                throw new UsageError("no daemon answered at " + endpoint + ", and the one started there exited with "
                        + "code " + daemon.exitValue() + "; see " + log);
            }
        }
        throw new UsageError("started a daemon at " + endpoint + " but it did not answer within "
                + START_LIMIT.toSeconds() + " s; see " + log);
    }
}
