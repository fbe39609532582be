package dev.segue.bridge.cli;

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

    DaemonClient connect() {
        return new DaemonClient(endpoint, seconds("--reply-timeout-s", replyTimeoutS));
    }

    static Duration seconds(String option, double s) {
        if (!(s > 0) || s > 1e9) {
            throw new UsageError(option + ": " + s + " must be a positive number of seconds");
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }
}
