package dev.segue.bridge.bench;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.protocol.Audio;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Limits;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Client-side latency against an in-process ROUTER on loopback that decodes every request and
 * answers it (capabilities for hello, accepted for submit), so both ends' codec work is counted,
 * the sampling is not. No JMH: plain warm-up, then the median of many timed round trips.
 *
 * <pre>
 * mvn -q -B -pl host-bridge -am package -DskipTests   (builds test classes too)
 * java -cp host-bridge/target/classes:host-bridge/target/test-classes:$(cat host-bridge/target/classpath.txt) \
 *      dev.segue.bridge.bench.ClientBench
 * </pre>
 */
public final class ClientBench {
    private static final int HELLOS = 2000;
    private static final int SUBMITS = 201;

    public static void main(String[] args) throws Exception {
        try (ZContext ctx = new ZContext(1)) {
            ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setReceiveTimeOut(100); // lets the echo thread notice the end
            int port = router.bindToRandomPort("tcp://127.0.0.1");
            Thread echo = new Thread(() -> echo(router), "echo");
            echo.setDaemon(true);
            echo.start();
            try (DaemonClient client = new DaemonClient("tcp://127.0.0.1:" + port, Duration.ofSeconds(10))) {
                for (int i = 0; i < HELLOS; i++) { // warm-up
                    client.hello("bench");
                }
                long[] hello = new long[HELLOS];
                for (int i = 0; i < HELLOS; i++) {
                    long t = System.nanoTime();
                    client.hello("bench");
                    hello[i] = System.nanoTime() - t;
                }
                Submit submit = tenSecondStereoSubmit();
                for (int i = 0; i < 20; i++) {
                    client.submit(submit);
                }
                long[] sub = new long[SUBMITS];
                for (int i = 0; i < SUBMITS; i++) {
                    long t = System.nanoTime();
                    client.submit(submit);
                    sub[i] = System.nanoTime() - t;
                }
                report("hello -> capabilities", hello, 1e3, "us");
                report("submit (10 s stereo 48 kHz, 3.84 MB) -> accepted", sub, 1e6, "ms");
            }
            echo.interrupt();
        }
    }

    private static Submit tenSecondStereoSubmit() {
        float[] prime = new float[480_000 * 2];
        Random r = new Random(1);
        for (int i = 0; i < prime.length; i++) {
            prime[i] = r.nextFloat() * 2 - 1;
        }
        DawContext ctx = new DawContext(48_000, 120, 4, 4, 0, 0.0);
        GenerationRequest req = new GenerationRequest("bench", "bench", new Length.Bars(8), 4, Quality.SKETCH,
                List.of(0.95), null, null, 1, null, null, null);
        return new Submit(0, ctx, req, Audio.of(2, prime));
    }

    private static void echo(ZMQ.Socket router) {
        Capabilities caps = null;
        while (!Thread.currentThread().isInterrupted()) {
            byte[] id;
            try {
                id = router.recv(0);
            } catch (RuntimeException e) {
                return; // context closed
            }
            if (id == null) {
                continue;
            }
            List<byte[]> frames = new ArrayList<>(2);
            while (router.hasReceiveMore()) {
                frames.add(router.recv(0));
            }
            Message m = ProtocolCodec.decode(frames);
            Message reply = m instanceof Hello
                    ? new Capabilities(m.req(), "echo", 1, List.of("bench"), List.of("bench"), Limits.protocolMaximum())
                    : new Accepted(m.req(), "job-" + m.req());
            router.send(id, ZMQ.SNDMORE);
            router.send(ProtocolCodec.encode(reply).get(0), 0);
        }
    }

    private static void report(String what, long[] nanos, double unit, String unitName) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-52s median %8.1f %s  p10 %8.1f  p90 %8.1f  (n=%d)%n", what,
                s[s.length / 2] / unit, unitName, s[s.length / 10] / unit, s[s.length * 9 / 10] / unit, s.length);
    }
}
