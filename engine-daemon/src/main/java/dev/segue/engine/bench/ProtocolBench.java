package dev.segue.engine.bench;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.server.Daemon;
import dev.segue.engine.server.ResultStore;
import dev.segue.protocol.Audio;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The daemon's transport as a client sees it, over loopback TCP: heartbeat round trips, and the time from
 * sending a 30 s stereo 48 kHz prime to its {@code accepted} (encode, transfer, decode, validation, the
 * result store's job record). The model is a stand-in that is never run: jobs are cancelled at once.
 */
public final class ProtocolBench {
    public record Result(double heartbeatMicrosMedian, double uploadMillisMedian, long primeBytes) {}

    private static final int RATE = 48_000;

    /** A model side that accepts 48 kHz primes and waits to be cancelled. */
    private static final class IdleEngine implements ContinuationEngine {
        public String priorName() {
            return "bench";
        }

        public int sampleRate() {
            return RATE;
        }

        public int levels() {
            return 1;
        }

        public boolean labels() {
            return false;
        }

        public double maxContinuationSeconds() {
            return 60;
        }

        public Takes continueTakes(float[] prime, int rate, long frames, GenerationRequest request, DawContext context,
                                   Monitor monitor) {
            while (!monitor.cancelled()) {
                Thread.onSpinWait();
            }
            throw new IllegalStateException("cancelled");
        }
    }

    public static Result run(Path dataDir, int heartbeats, int uploads) throws Exception {
        Daemon daemon = new Daemon("tcp://127.0.0.1:*", ResultStore.open(dataDir), new IdleEngine(), uploads + 1);
        Thread server = new Thread(daemon::serve, "bench-daemon");
        server.setDaemon(true);
        server.start();
        String endpoint = daemon.awaitBound();
        try (ZContext context = new ZContext()) {
            ZMQ.Socket s = context.createSocket(SocketType.DEALER);
            s.setLinger(0);
            s.setHandshakeIvl(1000); // JeroMQ 0.6.0 can leave a new connection stuck before its handshake
            s.setReceiveTimeOut(10_000);
            s.connect(endpoint);
            double[] rtt = new double[heartbeats];
            for (int i = -20; i < heartbeats; i++) { // 20 untimed warm-up round trips
                long t0 = System.nanoTime();
                Wire.send(s, new Heartbeat(1 + Math.max(i, 0), 1));
                await(s, m -> m instanceof Heartbeat);
                if (i >= 0) {
                    rtt[i] = (System.nanoTime() - t0) / 1e3;
                }
            }
            float[] prime = new float[30 * RATE * 2];
            for (int i = 0; i < prime.length; i++) {
                prime[i] = (float) Math.sin(i * 0.01) * 0.5f;
            }
            Submit submit = new Submit(7, new DawContext(RATE, 120, 4, 4, 0, 0.0), new GenerationRequest("bench",
                    "sketch", new Length.Seconds(1), 1, Quality.SKETCH, List.of(1.0), null, null, 1, null, null, null),
                    Audio.of(2, prime));
            double[] upload = new double[uploads];
            for (int i = 0; i < uploads; i++) {
                long t0 = System.nanoTime();
                Wire.send(s, submit);
                Accepted accepted = (Accepted) await(s, m -> m instanceof Accepted);
                upload[i] = (System.nanoTime() - t0) / 1e6;
                Wire.send(s, new Cancel(8, accepted.job()));
                await(s, m -> m.req() == 8);
            }
            return new Result(Stats.median(rtt), Stats.median(upload), prime.length * 4L);
        } finally {
            daemon.close();
        }
    }

    private static Message await(ZMQ.Socket s, Predicate<Message> wanted) {
        while (true) {
            Message m = Wire.receive(s, 0);
            if (m == null) {
                throw new IllegalStateException("the daemon did not answer within 10 s");
            }
            if (wanted.test(m)) {
                return m;
            }
        }
    }
}
