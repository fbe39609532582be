package dev.segue.engine.cli;

import dev.segue.engine.cluster.Gateway;
import dev.segue.engine.server.CurveSecurity;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "One address for a cluster of daemons on NATS JetStream: speaks the daemon's protocol to "
                + "every client, queues jobs for the workers ('segue daemon --nats URL'), relays their progress, "
                + "previews and results. Loads no model.")
final class GatewayCommand implements Callable<Integer> {
    @Option(names = "--nats", required = true, paramLabel = "URL", description = "The cluster's NATS, e.g. nats://127.0.0.1:4222.")
    String nats;

    @Option(names = "--endpoint", defaultValue = "tcp://127.0.0.1:5575",
            description = "Listen address; off loopback only with --curve-keys (default ${DEFAULT-VALUE}).")
    String endpoint;

    @Option(names = "--curve-keys", description = "CurveZMQ folder, as for 'segue daemon'. Required off loopback.")
    Path curveKeys;

    @Option(names = "--queued-per-client", defaultValue = "16",
            description = "Jobs one client may have queued or running at once (default ${DEFAULT-VALUE}).")
    int outstandingPerClient;

    @Override
    public Integer call() throws Exception {
        if (outstandingPerClient < 1 || outstandingPerClient > 1024) {
            System.err.println("gateway: queued_per_client must be 1..1024");
            return 2;
        }
        Gateway gateway;
        try {
            CurveSecurity curve = curveKeys == null ? null : CurveSecurity.load(curveKeys);
            gateway = Gateway.connect(nats, endpoint, curve, outstandingPerClient);
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("gateway: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                gateway.close();
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "segue-shutdown"));
        try {
            gateway.serve();
        } finally {
            stopped.countDown();
        }
        return 0;
    }
}
