package dev.segue.engine.cli;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.server.CurveSecurity;
import dev.segue.engine.server.Daemon;
import dev.segue.engine.server.ResultStore;
import dev.segue.engine.server.Retention;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "Run the resident daemon in the foreground: models loaded once, ZeroMQ on loopback.")
final class DaemonCommand implements Callable<Integer> {
    @Option(names = "--config", description = "JSON file with any of: endpoint, data, model, queued_per_client, curve_keys, keep_days, keep_mb, "
            + "keep_fetched_days. "
            + "Flags given on the command line win over it.")
    Path config;

    @Option(names = "--endpoint", description = "Listen address, loopback only (default tcp://127.0.0.1:5575).")
    String endpoint;

    @Option(names = "--data", description = "Result store folder (default: <segue home>/.segue-data).")
    Path data;

    @Option(names = "--model", description = "Model folder laid out like a conformance fixture; repeat for several priors; "
            + "a folder with top priors keyed by name (prior_NAME.*) gives one prior '<folder>/<name>' each "
            + "(default: every prior shipped under presets/, else the reference fixture, else the random demo model).")
    java.util.List<Path> models = new java.util.ArrayList<>();

    @Option(names = "--curve-keys", description = "CurveZMQ folder: server.secret (made if absent, with server.public "
            + "for clients) and clients/ holding the public certificates allowed in. Required off loopback.")
    Path curveKeys;

    @Option(names = "--queued-per-client", description = "Jobs one client may have queued (default 4).")
    Integer queuedPerClient;

    @Option(names = "--keep-days", description = "Delete finished takes older than this many days (default 30; 0: never).")
    Double keepDays;

    @Option(names = "--keep-mb", description = "Delete the oldest finished takes while all takes hold more than this many "
            + "megabytes (default 2048; 0: no limit).")
    Long keepMegabytes;

    @Option(names = "--keep-fetched-days", description = "Never delete takes fetched within this many days (default 7).")
    Double keepFetchedDays;

    @Option(names = "--window-cache", defaultValue = "shift", description = "What a long take's top-level windows keep "
            + "of each other's key/value cache: shift (move it with the window, computing only the new tokens; the "
            + "default: not exact, see the engine README for what it costs) or reprefill (prefill every window's "
            + "context, as the reference does).")
    String windowCache;

    @Override
    public Integer call() throws Exception {
        try {
            applyConfigFile();
        } catch (IllegalArgumentException e) {
            System.err.println("daemon: " + e.getMessage());
            return 2;
        }
        if (endpoint == null) {
            endpoint = "tcp://127.0.0.1:5575";
        }
        if (queuedPerClient == null) {
            queuedPerClient = 4;
        }
        if (queuedPerClient < 1 || queuedPerClient > 64) {
            System.err.println("daemon: queued_per_client must be 1..64");
            return 2;
        }
        dev.segue.engine.sampling.WindowCache cachePolicy;
        try {
            cachePolicy = dev.segue.engine.sampling.WindowCache.named(windowCache);
        } catch (IllegalArgumentException e) {
            System.err.println("daemon: " + e.getMessage());
            return 2;
        }
        CurveSecurity curve = null;
        try {
            if (curveKeys != null) {
                curve = CurveSecurity.load(curveKeys);
            } else {
                Daemon.requireLoopback(endpoint); // before minutes of model loading, not after
            }
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("daemon: " + e.getMessage());
            return 2;
        }
        Path dataDir = data != null ? data : Presets.home().resolve(".segue-data");
        java.util.List<Path> dirs = models.isEmpty() ? ResidentModel.defaultDirs() : models;
        java.util.List<ResidentModel> loaded = new java.util.ArrayList<>();
        try (NDManager root = Djl.cpuManager(); Closer closer = () -> loaded.forEach(ResidentModel::close)) {
            java.util.List<dev.segue.engine.server.ContinuationEngine> engines = new java.util.ArrayList<>();
            for (Path dir : dirs) {
                for (ResidentModel m : ResidentModel.loadAll(root, dir)) {
                    loaded.add(m);
                    System.out.println("segue daemon: prior '" + m.name() + "': " + m.description());
                    engines.add(new EngineBackedContinuation(m.name(), root, new ContinuationPipeline(m.vqvae(), m.priors(), cachePolicy),
                            m.labelNames()));
                }
            }
            for (dev.segue.engine.server.ContinuationEngine e : engines) { // before "listening": see Warmup
                System.out.println("segue daemon: prior '" + e.priorName() + "' warmed up in " + Warmup.run(e) + " ms");
            }
            ResultStore store = ResultStore.open(dataDir);
            Daemon daemon = new Daemon(endpoint, store, engines, queuedPerClient, curve).retention(Retention.of(
                    keepDays == null ? 30 : keepDays, keepMegabytes == null ? 2048 : keepMegabytes,
                    keepFetchedDays == null ? 7 : keepFetchedDays));
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

    /** Closes the loaded models before their manager (resources close in reverse order). */
    private interface Closer extends AutoCloseable {
        @Override
        void close();
    }

    /** Fills what the flags left unset from the config file; unknown keys are an error, not a silent typo. */
    private void applyConfigFile() throws java.io.IOException {
        if (config == null) {
            return;
        }
        if (!java.nio.file.Files.isRegularFile(config) || java.nio.file.Files.size(config) > 64 * 1024) {
            throw new IllegalArgumentException(config + ": not a readable config file of at most 64 KiB");
        }
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.toFile());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(config + ": not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(config + ": expected a JSON object");
        }
        java.util.Set<String> known = java.util.Set.of("endpoint", "data", "model", "queued_per_client", "curve_keys",
                "keep_days", "keep_mb", "keep_fetched_days");
        root.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                throw new IllegalArgumentException(config + ": unknown key '" + k + "' (known: " + known + ")");
            }
        });
        Path base = config.toAbsolutePath().getParent();
        if (endpoint == null && root.hasNonNull("endpoint")) {
            endpoint = root.get("endpoint").asText();
        }
        if (data == null && root.hasNonNull("data")) {
            data = base.resolve(root.get("data").asText());
        }
        if (models.isEmpty() && root.hasNonNull("model")) {
            com.fasterxml.jackson.databind.JsonNode m = root.get("model");
            if (m.isArray()) {
                m.forEach(x -> models.add(base.resolve(x.asText())));
            } else {
                models.add(base.resolve(m.asText()));
            }
        }
        if (curveKeys == null && root.hasNonNull("curve_keys")) {
            curveKeys = base.resolve(root.get("curve_keys").asText());
        }
        if (keepDays == null && root.hasNonNull("keep_days")) {
            keepDays = root.get("keep_days").asDouble();
        }
        if (keepMegabytes == null && root.hasNonNull("keep_mb")) {
            keepMegabytes = root.get("keep_mb").asLong();
        }
        if (keepFetchedDays == null && root.hasNonNull("keep_fetched_days")) {
            keepFetchedDays = root.get("keep_fetched_days").asDouble();
        }
        if (queuedPerClient == null && root.hasNonNull("queued_per_client")) {
            if (!root.get("queued_per_client").canConvertToInt()) {
                throw new IllegalArgumentException(config + ": queued_per_client must be an integer");
            }
            queuedPerClient = root.get("queued_per_client").asInt();
        }
    }
}
