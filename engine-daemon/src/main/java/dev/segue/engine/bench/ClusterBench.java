package dev.segue.engine.bench;

import dev.segue.engine.cluster.Gateway;
import dev.segue.engine.cluster.StandInPrior;
import dev.segue.engine.cluster.Worker;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.server.Daemon;
import dev.segue.engine.server.ResultStore;
import dev.segue.protocol.Audio;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Priors;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * {@code segue bench cluster}: a real nats-server (JetStream in a temporary folder), an in-process gateway
 * and 1, 2, 3 in-process workers on the stand-in prior, which sleeps per token rather than computing, so the
 * workers scale as separate devices would even on a machine with fewer cores than workers. It measures jobs
 * per minute at each worker count, and what the gateway adds, against a lone daemon on the same stand-in,
 * to the time from submit to the first preview and to a heartbeat's round trip.
 */
public final class ClusterBench {
    private static final int RATE = 32_000;

    private ClusterBench() {}

    public static int run(long tokenMillis, int jobs, int repeats) throws Exception {
        Path dir = Files.createTempDirectory("segue-bench-cluster");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "nats://127.0.0.1:" + port;
        Process nats;
        try {
            nats = new ProcessBuilder("nats-server", "-js", "-sd", dir.resolve("js").toString(), "-a", "127.0.0.1",
                    "-p", Integer.toString(port)).redirectErrorStream(true).redirectOutput(dir.resolve("nats.log").toFile())
                    .start();
        } catch (IOException e) {
            System.err.println("bench cluster: needs nats-server on the PATH (apt-get install nats-server)");
            return 2;
        }
        try {
            System.out.printf(Locale.ROOT, "stand-in prior: %d tokens of %d ms a job (sleeping, not computing), "
                    + "%d jobs of 1 candidate from 4 clients per run, median of %d runs%n",
                    20, tokenMillis, jobs, repeats);
            double[] perMinute = new double[3];
            for (int workers = 1; workers <= 3; workers++) {
                double[] runs = new double[repeats];
                for (int r = 0; r < repeats; r++) {
                    runs[r] = throughput(url, workers, tokenMillis, jobs);
                }
                perMinute[workers - 1] = Stats.median(runs);
                System.out.printf(Locale.ROOT, "workers %d: %.1f jobs/min (%.2fx one worker)%n", workers,
                        perMinute[workers - 1], perMinute[workers - 1] / perMinute[0]);
            }
            latency(url, dir);
        } finally {
            nats.destroy();
            nats.waitFor(10, TimeUnit.SECONDS);
            try (var paths = Files.walk(dir)) { // the JetStream store and the lone daemon's results
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    /** Jobs per minute: all jobs submitted at once, timed from the first submit to the last done. */
    private static double throughput(String url, int workers, long tokenMillis, int jobs) throws Exception {
        try (Cluster cluster = new Cluster(url, workers, tokenMillis)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try (ZContext context = new ZContext()) {
                long t0 = System.nanoTime();
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    int share = jobs / 4 + (c < jobs % 4 ? 1 : 0);
                    int first = c * 100;
                    clients.add(pool.submit(() -> {
                        ZMQ.Socket s = socket(context, cluster.endpoint);
                        List<String> ids = new ArrayList<>();
                        for (int j = 0; j < share; j++) {
                            Wire.send(s, submit(first + j, 1 + j));
                            ids.add(((Accepted) await(s, m -> m instanceof Accepted || m instanceof ErrorReply)).job());
                        }
                        for (int j = 0; j < share; j++) {
                            await(s, m -> m instanceof Done || (m instanceof ErrorReply e && e.job() != null));
                        }
                        return ids;
                    }));
                }
                for (Future<?> f : clients) {
                    f.get(10, TimeUnit.MINUTES);
                }
                return jobs * 60e9 / (System.nanoTime() - t0);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Submit-to-first-preview and heartbeat round trip: a lone daemon, then the gateway with one worker. */
    private static void latency(String url, Path dir) throws Exception {
        int rounds = 30;
        StandInPrior fast = new StandInPrior("stand-in", 1);
        Daemon daemon = new Daemon("tcp://127.0.0.1:*", ResultStore.open(dir.resolve("daemon")), fast, 64);
        Thread server = new Thread(daemon::serve, "bench-daemon");
        server.setDaemon(true);
        server.start();
        double[] lone;
        try {
            lone = measure(daemon.awaitBound(), rounds);
        } finally {
            daemon.close();
        }
        double[] viaGateway;
        try (Cluster cluster = new Cluster(url, 1, 1)) {
            viaGateway = measure(cluster.endpoint, rounds);
        }
        System.out.printf(Locale.ROOT, "first preview (5 tokens of 1 ms in): lone daemon %.2f ms, gateway %.2f ms: "
                + "the gateway adds %.2f ms (median of %d)%n", lone[0], viaGateway[0], viaGateway[0] - lone[0], rounds);
        System.out.printf(Locale.ROOT, "heartbeat round trip: lone daemon %.3f ms, gateway %.3f ms: the gateway adds "
                + "%.3f ms (median of 200)%n", lone[1], viaGateway[1], viaGateway[1] - lone[1]);
    }

    /** Medians of the time to the first preview and of a heartbeat round trip, in ms. */
    private static double[] measure(String endpoint, int rounds) throws Exception {
        try (ZContext context = new ZContext()) {
            ZMQ.Socket s = socket(context, endpoint);
            double[] preview = new double[rounds];
            for (int i = -3; i < rounds; i++) { // 3 untimed warm-up jobs
                long t0 = System.nanoTime();
                Wire.send(s, submit(1000 + i + 3, 7));
                await(s, m -> m instanceof Preview);
                if (i >= 0) {
                    preview[i] = (System.nanoTime() - t0) / 1e6;
                }
                await(s, m -> m instanceof Done);
            }
            double[] rtt = new double[200];
            for (int i = -20; i < rtt.length; i++) {
                long t0 = System.nanoTime();
                Wire.send(s, new Heartbeat(5000 + i + 20, 1));
                await(s, m -> m instanceof Heartbeat);
                if (i >= 0) {
                    rtt[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            return new double[] {Stats.median(preview), Stats.median(rtt)};
        }
    }

    /** A gateway and {@code workers} workers in this process, torn down (workers withdrawn) on close. */
    private static final class Cluster implements AutoCloseable {
        final Gateway gateway;
        final String endpoint;
        final List<Worker> workers = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();

        Cluster(String url, int count, long tokenMillis) throws Exception {
            gateway = Gateway.connect(url, "tcp://127.0.0.1:*", null, 1024);
            threads.add(start("bench-gateway", gateway::serve));
            endpoint = gateway.awaitBound();
            for (int i = 0; i < count; i++) {
                List<ContinuationEngine> engines = List.of(new StandInPrior("stand-in", tokenMillis));
                Worker w = Worker.connect(url, "bench-" + i, engines, Duration.ofSeconds(30), Worker.MAX_DELIVER);
                workers.add(w);
                threads.add(start("bench-worker-" + i, () -> {
                    try {
                        w.serve();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            try (ZContext context = new ZContext()) { // until the gateway has seen every worker's announcement
                ZMQ.Socket s = socket(context, endpoint);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (true) {
                    Wire.send(s, new ListPriors(1));
                    if (!((Priors) await(s, m -> m instanceof Priors)).priors().isEmpty() || System.nanoTime() > deadline) {
                        break;
                    }
                    Thread.sleep(100);
                }
            }
        }

        private static Thread start(String name, Runnable r) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void close() throws Exception {
            for (Worker w : workers) {
                w.close();
            }
            for (Thread t : threads.subList(1, threads.size())) {
                t.join(10_000);
            }
            for (Worker w : workers) {
                w.disconnect();
            }
            gateway.close();
            threads.get(0).join(5_000);
        }
    }

    private static Submit submit(long seed, long req) {
        float[] prime = new float[RATE / 2];
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / RATE));
        }
        return new Submit(req, new DawContext(RATE, 120, 4, 4, 0, 0.0), new GenerationRequest("stand-in", "sketch",
                new Length.Seconds(1), 1, Quality.SKETCH, List.of(1.0), null, null, seed, null, null, null),
                Audio.of(1, prime));
    }

    private static ZMQ.Socket socket(ZContext context, String endpoint) {
        ZMQ.Socket s = context.createSocket(SocketType.DEALER);
        s.setLinger(0);
        s.setHandshakeIvl(1000);
        s.setReceiveTimeOut(60_000);
        s.connect(endpoint);
        return s;
    }

    private static Message await(ZMQ.Socket s, Predicate<Message> wanted) {
        while (true) {
            Message m = Wire.receive(s, 0);
            if (m == null) {
                throw new IllegalStateException("no answer within 60 s");
            }
            if (m instanceof ErrorReply e && e.job() == null && !wanted.test(m)) {
                throw new IllegalStateException("refused: " + e.code() + " " + e.text());
            }
            if (wanted.test(m)) {
                return m;
            }
        }
    }
}
