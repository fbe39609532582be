package dev.segue.engine.bench;

import dev.segue.engine.nn.Djl;
import dev.segue.engine.resident.EngineBackedContinuation;
import dev.segue.engine.resident.ResidentModel;
import dev.segue.engine.resident.Warmup;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.bench.Stats;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.server.Daemon;
import dev.segue.engine.server.DeadlineBudget;
import dev.segue.engine.server.Front;
import dev.segue.engine.server.ResultStore;
import dev.segue.protocol.Audio;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.ListJobs;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * {@code bench latency}: the answers that must stay quick while jobs run. {@code clients} clients each submit
 * {@code jobsEach} default-prior jobs; while they run, one more client sends a heartbeat, a {@code list_jobs}, a
 * {@code list_priors} and a {@code cancel} of a job that does not exist, in turn, every 10 ms, and times each round
 * trip. Before the jobs it sends the same requests 2000 times untimed, so the daemon's answering code is compiled,
 * as in a daemon that has been serving. Prints the median, p99 and maximum per request type.
 */
public final class LatencyBench {
    /** Requests sent untimed before the jobs start, the four kinds in turn. */
    private static final int WARM_UP_PROBES = 2000;

    private LatencyBench() {}

    /** Sends the {@code n}th probe (heartbeat, list_jobs, list_priors, cancel, in turn), waits for its answer. */
    private static String probe(ZMQ.Socket probe, long n) {
        Message m = switch ((int) (n % 4)) {
            case 0 -> new Heartbeat(1_000_000 + n, n);
            case 1 -> new ListJobs(1_000_000 + n);
            case 2 -> new ListPriors(1_000_000 + n);
            default -> new Cancel(1_000_000 + n, "no-such-job");
        };
        Wire.send(probe, m);
        if (ZMsg.recvMsg(probe) == null) {
            throw new IllegalStateException("no answer to " + m.type().wire() + " within 60 s");
        }
        return m.type().wire();
    }

    public static int run(int clients, int jobsEach, double seconds) throws Exception {
        try (NDManager root = Djl.cpuManager()) {
            ResidentModel model = ResidentModel.loadAll(root, ResidentModel.defaultDirs().get(0)).get(0);
            ContinuationEngine engine = new EngineBackedContinuation(model.name(), root,
                    new ContinuationPipeline(model.vqvae(), model.priors()), model.labelNames());
            Warmup.run(engine);
            Daemon daemon = new Daemon("tcp://127.0.0.1:*", ResultStore.open(Files.createTempDirectory("segue-latency")),
                    engine, Math.max(4, jobsEach));
            Thread serving = new Thread(daemon::serve, "bench-daemon");
            serving.setDaemon(true);
            serving.start();
            String endpoint = daemon.awaitBound();
            int rate = engine.sampleRate();
            float[] prime = new float[2 * rate];
            for (int i = 0; i < prime.length; i++) {
                prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / rate));
            }
            // The submitting clients run on a thread of their own at the normal priority: submitting, then reading
            // every preview and result until each job has ended. The probe does nothing but probe.
            AtomicInteger jobsLeft = new AtomicInteger(clients * jobsEach);
            CountDownLatch warmed = new CountDownLatch(1);
            CountDownLatch submitted = new CountDownLatch(1);
            AtomicReference<Throwable> submitFailure = new AtomicReference<>();
            Thread submitting = new Thread(() -> {
                try (ZContext zmq = new ZContext()) {
                    warmed.await();
                    List<ZMQ.Socket> submitters = new ArrayList<>();
                    long req = 1;
                    for (int c = 0; c < clients; c++) {
                        ZMQ.Socket s = zmq.createSocket(SocketType.DEALER);
                        s.setLinger(0);
                        s.setHandshakeIvl(1000); // JeroMQ 0.6.0 can leave a new connection stuck before its handshake
                        s.connect(endpoint);
                        submitters.add(s);
                        for (int j = 0; j < jobsEach; j++) {
                            Wire.send(s, new Submit(req++, new DawContext(rate, 120, 4, 4, 0, 0), new GenerationRequest(
                                    model.name(), "sketch", new Length.Seconds(seconds), 1, Quality.SKETCH, List.of(0.9),
                                    null, null, req, null, null, null), Audio.of(1, prime)));
                        }
                    }
                    submitted.countDown();
                    ZMQ.Poller poller = zmq.createPoller(submitters.size());
                    submitters.forEach(s -> poller.register(s, ZMQ.Poller.POLLIN));
                    while (jobsLeft.get() > 0) { // count the jobs that ended; drop everything else
                        poller.poll(100);
                        for (ZMQ.Socket s : submitters) {
                            Message x;
                            while ((x = Wire.receive(s, ZMQ.DONTWAIT)) != null) {
                                if (x instanceof dev.segue.protocol.message.Done
                                        || x instanceof dev.segue.protocol.message.ErrorReply) {
                                    jobsLeft.decrementAndGet();
                                }
                            }
                        }
                    }
                } catch (Throwable t) {
                    submitFailure.set(t);
                    jobsLeft.set(0);
                    submitted.countDown();
                }
            }, "bench-submitters");
            submitting.setDaemon(true);
            submitting.start();
            // The probing client runs as a client on its own cores would: at the daemon's socket-thread priority
            // and real-time budget (its thread and its context's I/O thread), so the figures are the daemon's
            // answer time, not this process's own jobs keeping the probe from a core. Its context is its own, as a
            // client in its own process would have: the submitters' previews and results never queue ahead of its
            // replies on one I/O thread.
            Thread.currentThread().setPriority(Thread.MAX_PRIORITY);
            DeadlineBudget.applyToCurrentThread();
            try (ZContext probing = Front.urgentContext()) {
                ZMQ.Socket probe = probing.createSocket(SocketType.DEALER);
                probe.setLinger(0);
                probe.setReceiveTimeOut(60_000);
                probe.setHandshakeIvl(1000);
                probe.connect(endpoint);
                // Untimed first, before any job: a resident daemon has long since compiled its answering code, so
                // the first calls, run by the interpreter, would only measure the JIT.
                for (long w = 0; w < WARM_UP_PROBES; w++) {
                    probe(probe, w);
                }
                warmed.countDown();
                submitted.await();
                Map<String, List<Double>> millis = new LinkedHashMap<>();
                long probes = 0;
                while (jobsLeft.get() > 0) {
                    long t0 = System.nanoTime();
                    String type = probe(probe, WARM_UP_PROBES + probes++);
                    millis.computeIfAbsent(type, k -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e6);
                    Thread.sleep(10);
                }
                submitting.join(10_000);
                if (submitFailure.get() != null) {
                    throw new IllegalStateException("a submitting client failed", submitFailure.get());
                }
                System.out.printf(Locale.ROOT, "latency bench: %d clients x %d jobs of %.1f s (1 take) running, %d probes%n",
                        clients, jobsEach, seconds, probes);
                millis.forEach((type, ms) -> System.out.printf(Locale.ROOT, "  %s: p50 %.2f ms, p99 %.2f ms, max %.2f ms "
                        + "(%d)%n", type, Stats.percentile(ms, 50), Stats.percentile(ms, 99), Stats.percentile(ms, 100),
                        ms.size()));
            } finally {
                daemon.close();
            }
        }
        return 0;
    }
}
