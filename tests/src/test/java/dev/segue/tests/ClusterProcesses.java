package dev.segue.tests;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cluster as real processes on loopback: nats-server with JetStream in a folder of the test's, one
 * `segue gateway`, and `segue daemon --nats` workers on the stand-in prior (it sleeps per token, so three
 * workers on a small machine behave like three devices). Each process logs to a file of its own.
 */
final class ClusterProcesses implements AutoCloseable {
    static final long TOKEN_MS = 100;
    static final int ACK_WAIT_S = 2;
    static final int MAX_DELIVER = 3;

    final Path dir;
    final int natsPort = freePort();
    final String natsUrl = "nats://127.0.0.1:" + natsPort;
    final String endpoint = "tcp://127.0.0.1:" + freePort();
    private Process nats;
    private Process gateway;
    private String gatewayName;
    private final Map<String, Process> workers = new LinkedHashMap<>();
    private final List<Process> extras = new ArrayList<>();
    private int starts;

    ClusterProcesses(Path dir) {
        this.dir = dir;
    }

    /**
     * nats-server, a gateway and the named workers on the stand-in prior, all started; the calling test class is
     * skipped where nats-server is not installed.
     */
    static ClusterProcesses started(Path dir, List<String> workerNames) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(natsInstalled(), "nats-server is not installed: the cluster "
                + "tests need it (apt-get install nats-server; ./segue test installs it)");
        ClusterProcesses c = new ClusterProcesses(dir);
        try {
            c.startNats();
            c.startGateway();
            for (String w : workerNames) {
                c.startWorker(w);
            }
            return c;
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
    }

    static String freeEndpoint() {
        return "tcp://127.0.0.1:" + freePort();
    }

    static List<String> engineCommand(String... args) throws IOException {
        return engine(args);
    }

    static boolean natsInstalled() {
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(p, "nats-server"))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin/nats-server"));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    Path log(String name) {
        return dir.resolve(name + ".log");
    }

    /** Starts nats-server (again, on the same port and store after a stop) and waits until it serves. */
    void startNats() throws Exception {
        String exe = Files.isExecutable(Path.of("/usr/sbin/nats-server")) ? "/usr/sbin/nats-server" : "nats-server";
        nats = start("nats-" + (++starts), List.of(exe, "-js", "-sd", dir.resolve("jetstream").toString(),
                "-a", "127.0.0.1", "-p", Integer.toString(natsPort)), "Server is ready");
    }

    void killNats() throws InterruptedException {
        nats.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    void startGateway() throws Exception {
        gatewayName = "gateway-" + (++starts);
        gateway = start(gatewayName, engine("gateway", "--nats", natsUrl, "--endpoint", endpoint),
                "listening on " + endpoint);
    }

    /** One more gateway on the same cluster (gateways keep no state, so any number may serve it). */
    Process startExtraGateway(String endpoint, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("gateway", "--nats", natsUrl, "--endpoint", endpoint));
        args.addAll(List.of(extra));
        Process p = start("gateway-" + (++starts), engine(args.toArray(String[]::new)), "listening on " + endpoint);
        extras.add(p);
        return p;
    }

    /** The last lines the current gateway logged, for a failure's message. */
    String gatewayLogTail() {
        try {
            List<String> lines = Files.readAllLines(log(gatewayName));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no gateway log: " + e.getMessage() + ")";
        }
    }

    void killGateway() throws InterruptedException {
        gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    void startWorker(String name) throws Exception {
        startWorker(name, "stand-in");
    }

    /** A worker whose stand-in prior has the given name. */
    void startWorker(String name, String prior) throws Exception {
        workers.put(name, start(name + "-" + (++starts), engine("daemon", "--nats", natsUrl, "--worker-name", name,
                "--stand-in-token-ms", Long.toString(TOKEN_MS), "--stand-in-prior", prior,
                "--ack-wait-s", Integer.toString(ACK_WAIT_S), "--max-deliver", Integer.toString(MAX_DELIVER)),
                "segue worker " + name + " serving"));
    }

    Process worker(String name) {
        return workers.get(name);
    }

    /** SIGKILL: no shutdown hook, no hand-back; JetStream notices only when the ack wait runs out. */
    void killWorker(String name) throws InterruptedException {
        workers.get(name).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM: the worker hands any job in flight back and withdraws its announcement. */
    void stopWorker(String name) throws InterruptedException {
        Process p = workers.get(name);
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("worker " + name + " did not stop within 30 s of SIGTERM");
        }
    }

    /** Every log a worker wrote, for finding which one ran a job. */
    String workerLogs(String name) throws IOException {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(name + "-")).toList()) {
                b.append(Files.readString(f));
            }
        }
        return b.toString();
    }

    private static List<String> engine(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(SeguePart.engine(args));
        cmd.add(1, "-Xmx256m"); // several JVMs on one small machine
        return cmd;
    }

    private Process start(String name, List<String> cmd, String ready) throws Exception {
        Path logFile = log(name);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (Files.exists(logFile) && Files.readString(logFile).contains(ready)) {
                return p;
            }
            if (!p.isAlive()) {
                throw new AssertionError(name + " exited:\n" + Files.readString(logFile));
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError(name + " did not start:\n" + Files.readString(logFile));
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : workers.values()) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (Process p : extras) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (gateway != null) {
            gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (nats != null) {
            nats.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
