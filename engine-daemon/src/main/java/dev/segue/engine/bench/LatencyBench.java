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
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * {@code bench latency}: the answers that must stay quick while jobs run. {@code clients} clients each submit
 * {@code jobsEach} default-prior jobs; while they run, one more client sends a heartbeat, a {@code list_jobs}, a
 * {@code list_priors} and a {@code cancel} of a job that does not exist, in turn, every 10 ms, and times each round
 * trip. Prints the median, p99 and maximum per request type.
 */
public final class LatencyBench {
    private LatencyBench() {}

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
            // The probing client runs as a client on its own cores would: at the daemon's socket-thread priority
            // (its thread and its context's I/O thread), so the figures are the daemon's answer time, not this
            // process's own jobs keeping the probe from a core.
            Thread.currentThread().setPriority(Thread.MAX_PRIORITY);
            // The probe has a context of its own, as a client in its own process would: the submitters' previews
            // and results then never queue ahead of its replies on one I/O thread.
            try (ZContext zmq = new ZContext(); ZContext probing = Front.urgentContext()) {
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
                                model.name(), "sketch", new Length.Seconds(seconds), 1, Quality.SKETCH, List.of(0.9), null,
                                null, req, null, null, null), Audio.of(1, prime)));
                    }
                }
                ZMQ.Socket probe = probing.createSocket(SocketType.DEALER);
                probe.setLinger(0);
                probe.setReceiveTimeOut(60_000);
                probe.setHandshakeIvl(1000);
                probe.connect(endpoint);
                Map<String, List<Double>> millis = new LinkedHashMap<>();
                int jobsLeft = clients * jobsEach;
                long probes = 0;
                while (jobsLeft > 0) {
                    Message m = switch ((int) (probes++ % 4)) {
                        case 0 -> new Heartbeat(1_000_000 + probes, probes);
                        case 1 -> new ListJobs(1_000_000 + probes);
                        case 2 -> new ListPriors(1_000_000 + probes);
                        default -> new Cancel(1_000_000 + probes, "no-such-job");
                    };
                    long t0 = System.nanoTime();
                    Wire.send(probe, m);
                    ZMsg reply = ZMsg.recvMsg(probe);
                    if (reply == null) {
                        throw new IllegalStateException("no answer to " + m.type().wire() + " within 60 s");
                    }
                    millis.computeIfAbsent(m.type().wire(), k -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e6);
                    for (ZMQ.Socket s : submitters) { // count the jobs that ended; drop everything else
                        Message x;
                        while ((x = Wire.receive(s, ZMQ.DONTWAIT)) != null) {
                            if (x instanceof dev.segue.protocol.message.Done
                                    || x instanceof dev.segue.protocol.message.ErrorReply) {
                                jobsLeft--;
                            }
                        }
                    }
                    Thread.sleep(10);
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
