package dev.segue.engine.cli;

import dev.segue.engine.resident.ModelFolder;
import dev.segue.engine.resident.PresetFiles;
import dev.segue.engine.resident.ResidentContinuation;
import dev.segue.engine.resident.ResidentModel;
import dev.segue.engine.resident.Warmup;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.resident.ComputeDevice;
import dev.segue.engine.resident.MemoryBudget;
import dev.segue.engine.resident.ResidentSet;
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
        description = "Run the resident daemon in the foreground: models loaded once, ZeroMQ on loopback (elsewhere with --curve-keys).")
final class DaemonCommand implements Callable<Integer> {
    @Option(names = "--config", description = "JSON file with any of: endpoint, data, model, queued_per_client, curve_keys, "
            + "preset, memory_budget_gb, keep_days, keep_mb, keep_fetched_days. "
            + "Flags given on the command line win over it.")
    Path config;

    @Option(names = "--endpoint", description = "Listen address (default tcp://127.0.0.1:5575); off loopback only with --curve-keys.")
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

    @Option(names = "--nats", paramLabel = "URL", description = "Serve as one worker of a cluster: take jobs for the "
            + "loaded priors from NATS JetStream at URL (nats://HOST:PORT) instead of listening for clients; "
            + "clients talk to 'segue gateway'.")
    String nats;

    @Option(names = "--worker-name", description = "With --nats: this worker's name in the cluster (default: host-pid).")
    String workerName;

    @Option(names = "--ack-wait-s", defaultValue = "30", description = "With --nats: seconds without a sign of life "
            + "before a job is given to another worker (default ${DEFAULT-VALUE}).")
    int ackWaitSeconds;

    @Option(names = "--max-deliver", defaultValue = "5", description = "With --nats: times a job is started before "
            + "it is recorded failed, each start after a worker died under it (default ${DEFAULT-VALUE}).")
    int maxDeliver;

    @Option(names = "--stand-in-token-ms", paramLabel = "MS", description = "No model: one stand-in prior that "
            + "sleeps MS per token (20 a job) and writes sines; for cluster tests and benches.")
    Long standInTokenMs;

    @Option(names = "--stand-in-prior", defaultValue = "stand-in", description = "With --stand-in-token-ms: the "
            + "stand-in prior's name (default ${DEFAULT-VALUE}).")
    String standInPrior;

    @Option(names = "--preset", description = "Config for --model folders that have no config.json, such as a folder "
            + "of the published files: jukebox-5b, jukebox-5b-lyrics or jukebox-1b-lyrics (a folder's own config.json wins).")
    String preset;

    @Option(names = "--device", defaultValue = "auto", description = "Where the models run: auto (the first CUDA device "
            + "when the PyTorch engine sees one, else the CPU), cpu, cuda or cuda:N. The CUDA path is unverified.")
    String device;

    @Option(names = "--memory-budget", paramLabel = "GB", description = "Memory the loaded priors may take, in GB "
            + "(default: 0.75 of MemTotal less the JVM heap on the CPU, 0.85 of the GPU's memory on CUDA). Priors load on "
            + "first use (the first prior at start-up) and the least recently used idle one is unloaded to make room.")
    Double memoryBudget;

    @Option(names = "--weights", paramLabel = "FORMAT", defaultValue = "bf16", converter = WeightFormatConverter.class,
            description = "Precision the priors' large matrices are held in: bf16 (default), fp16, fp32 or as-stored "
                    + "(see the engine README).")
    dev.segue.engine.checkpoint.WeightFormat weights;

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
        Path dataDir = data != null ? data : PresetFiles.home().resolve(".segue-data");
        java.util.List<Path> dirs = standInTokenMs != null ? java.util.List.of()
                : models.isEmpty() ? ResidentModel.defaultDirs() : models;
        ComputeDevice chosen;
        java.util.List<ModelFolder> folders = new java.util.ArrayList<>();
        java.util.List<Long> sizes = new java.util.ArrayList<>();
        long budget;
        try {
            chosen = ComputeDevice.choose(device);
            budget = MemoryBudget.bytes(memoryBudget, chosen);
            for (Path dir : dirs) {
                ModelFolder folder = ModelFolder.of(dir, preset);
                folders.add(folder);
                sizes.add(folder.estimateBytes(chosen, weights)); // reads the checkpoints' headers: a broken file fails here
            }
        } catch (IllegalArgumentException | dev.segue.engine.checkpoint.CheckpointException
                 | dev.segue.engine.config.ConfigException e) {
            System.err.println("daemon: " + e.getMessage());
            return 2;
        }
        ResidentSet<ResidentContinuation.Loaded> set = new ResidentSet<>(budget);
        System.out.println("segue daemon: device " + chosen.describe() + (chosen.cuda() ? " (CUDA path unverified)" : "")
                + ", memory budget " + ResidentSet.gb(budget) + " (" + MemoryBudget.describe(memoryBudget, chosen) + ")");
        CountDownLatch stopped = new CountDownLatch(1); // the shutdown hook waits for it
        try (NDManager root = chosen.newManager(); Closer closer = set::closeAll) {
            java.util.List<dev.segue.engine.server.ContinuationEngine> engines = new java.util.ArrayList<>(
                    ResidentContinuation.engines(root, folders, sizes, set, cachePolicy, weights));
            for (var e : engines) {
                System.out.println("segue daemon: prior '" + e.priorName() + "': " + ((ResidentContinuation) e).description());
            }
            // The first prior loads now, so the first job does not wait for it; the others load on first use.
            if (!engines.isEmpty() && !loadFirst(engines)) {
                return 2;
            }
            if (standInTokenMs != null) {
                engines.add(new dev.segue.engine.cluster.StandInPrior(standInPrior, standInTokenMs));
            }
            if (nats != null) { // a cluster worker: NATS, and with it jnats, only on this path
                return dev.segue.engine.cluster.WorkerLaunch.run(nats, workerName != null ? workerName
                        : dev.segue.engine.cluster.WorkerLaunch.defaultName(), engines, ackWaitSeconds, maxDeliver);
            }
            for (dev.segue.engine.server.ContinuationEngine e : engines) { // before "listening": see Warmup
                if (Boolean.FALSE.equals(e.loaded())) {
                    continue; // loads on first use, inside the budget; warming it now would load it
                }
                System.out.println("segue daemon: prior '" + e.priorName() + "' warmed up in " + Warmup.run(e) + " ms");
            }
            ResultStore store = ResultStore.open(dataDir);
            Daemon daemon = new Daemon(endpoint, store, engines, queuedPerClient, curve).retention(Retention.of(
                    keepDays == null ? 30 : keepDays, keepMegabytes == null ? 2048 : keepMegabytes,
                    keepFetchedDays == null ? 7 : keepFetchedDays));
            Thread hook = new Thread(() -> {
                daemon.close();
                try {
                    stopped.await();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "segue-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            daemon.serve();
            if (!daemon.jobsStopped()) {
                // The running job is in a stretch of the engine that cannot stop (it is recorded as stopped by the
                // shutdown). Closing the models would free memory its thread still reads and crash the JVM, so the
                // process ends here without closing them; the system takes the memory back.
                System.err.println("segue daemon: the running job did not stop; exiting without closing the models");
                System.err.flush();
                Runtime.getRuntime().halt(0);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("daemon: " + e.getMessage());
            return 2;
        } finally {
            stopped.countDown(); // after the models are closed: the JVM must not exit while they are being freed
        }
        return 0;
    }

    /**
     * Loads the first prior at start-up, so the demo's first job does not wait for it. One that can never fit the
     * budget is reported and the daemon serves the others (its jobs are refused); one whose files do not load is
     * an error, as it was when every prior loaded at start-up.
     */
    private static boolean loadFirst(java.util.List<dev.segue.engine.server.ContinuationEngine> engines) {
        ResidentContinuation first = (ResidentContinuation) engines.get(0);
        try {
            first.checkFits(1, dev.segue.protocol.message.Quality.SKETCH);
        } catch (dev.segue.protocol.ProtocolException e) {
            System.err.println("segue daemon: " + e.getMessage());
            return true;
        }
        try {
            first.preload();
            return true;
        } catch (RuntimeException e) {
            System.err.println("daemon: prior '" + first.priorName() + "' does not load: " + e.getMessage());
            return false;
        }
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
                "preset", "memory_budget_gb", "keep_days", "keep_mb", "keep_fetched_days");
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
        if (preset == null && root.hasNonNull("preset")) {
            preset = root.get("preset").asText();
        }
        if (memoryBudget == null && root.hasNonNull("memory_budget_gb")) {
            if (!root.get("memory_budget_gb").isNumber()) {
                throw new IllegalArgumentException(config + ": memory_budget_gb must be a number");
            }
            memoryBudget = root.get("memory_budget_gb").asDouble();
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
