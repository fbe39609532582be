package dev.segue.bridge.cli;

import dev.segue.bridge.client.CurveKeys;
import dev.segue.bridge.client.DaemonClient;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where the daemon is and how long one reply may take; shared by every command. */
final class ConnectionOptions {
    static final String CLIENT_NAME = "segue-cli";

    @Option(names = "--endpoint", paramLabel = "URL", defaultValue = DaemonClient.DEFAULT_ENDPOINT,
            description = "daemon endpoint (default: ${DEFAULT-VALUE})")
    String endpoint;

    @Option(names = "--reply-timeout-s", paramLabel = "S", defaultValue = "10",
            description = "seconds to wait for each reply before giving up (default: ${DEFAULT-VALUE})")
    double replyTimeoutS;

    @Option(names = "--curve-server-key", paramLabel = "FILE",
            description = "the daemon's server.public certificate, for a daemon that listens with CurveZMQ")
    java.nio.file.Path curveServerKey;

    @Option(names = "--curve-key", paramLabel = "FILE",
            description = "this client's secret certificate, whose public key the daemon allows")
    java.nio.file.Path curveKey;

    @Option(names = "--no-start", description = "do not start a local daemon when none answers")
    boolean noStart;

    /** Like {@link #connect()}, but first starts a local daemon when none answers on a loopback endpoint. */
    DaemonClient connectStarting(java.io.PrintWriter err) {
        if (!noStart && curveServerKey == null && DaemonStarter.canStart() && DaemonStarter.isLoopbackTcp(endpoint)
                && !DaemonStarter.answers(endpoint)) {
            DaemonStarter.start(endpoint, err);
        }
        return connect();
    }

    DaemonClient connect() {
        return connect(replyTimeout());
    }

    Duration replyTimeout() {
        return seconds("--reply-timeout-s", replyTimeoutS);
    }

    /** A client with its own reply timeout (the app's job list uses a shorter one than its transfers). */
    DaemonClient connect(Duration replyTimeout) {
        CurveKeys curve = null;
        if ((curveServerKey == null) != (curveKey == null)) {
            throw new UsageError("--curve-server-key and --curve-key go together");
        }
        if (curveServerKey != null) {
            try {
                curve = CurveKeys.load(curveServerKey, curveKey);
            } catch (java.io.IOException e) {
                throw new UsageError(e.getMessage());
            }
        }
        return new DaemonClient(endpoint, replyTimeout, DaemonClient.DEFAULT_HEARTBEAT_INTERVAL, curve);
    }

    static Duration seconds(String option, double s) {
        if (!(s > 0) || s > 1e9) {
            throw new UsageError(option + ": " + s + " must be a positive number of seconds");
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }
}
