package dev.segue.engine.cli;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.server.Daemon;
import dev.segue.engine.server.ResultStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "Run the resident daemon in the foreground: models loaded once, ZeroMQ on loopback.")
final class DaemonCommand implements Callable<Integer> {
    @Option(names = "--endpoint", defaultValue = "tcp://127.0.0.1:5575", description = "Listen address (loopback only).")
    String endpoint;

    @Option(names = "--data", description = "Result store folder (default: <segue home>/.segue-data).")
    Path data;

    @Option(names = "--model", description = "Model folder laid out like a conformance fixture (default: the demo model).")
    Path model;

    @Option(names = "--queued-per-client", defaultValue = "4", description = "Jobs one client may have queued.")
    int queuedPerClient;

    @Override
    public Integer call() throws Exception {
        Path dataDir = data != null ? data : Presets.home().resolve(".segue-data");
        try (NDManager root = Djl.cpuManager(); SketchModel m = SketchModel.load(root, model)) {
            System.out.println("segue daemon: model " + m.description());
            ResultStore store = ResultStore.open(dataDir);
            Daemon daemon = new Daemon(endpoint, store, new EngineBackedContinuation(m.name(), root, m.vqvae(), m.top()),
                    queuedPerClient);
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                daemon.close();
                try {
                    stopped.await();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "segue-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                daemon.serve();
            } finally {
                stopped.countDown();
            }
        } catch (IllegalArgumentException e) {
            System.err.println("daemon: " + e.getMessage());
            return 2;
        }
        return 0;
    }
}
