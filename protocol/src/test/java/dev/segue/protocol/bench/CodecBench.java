package dev.segue.protocol.bench;

import dev.segue.protocol.Audio;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.util.Arrays;
import java.util.List;

/**
 * A plain timing loop (no JMH): median of runs after warm-up, for the README table. Run from the
 * repository root after {@code mvn -pl protocol test-compile}, see protocol/README.md.
 * Numbers are indicative: one JVM, no pinning, shared machine.
 */
public final class CodecBench {
    private CodecBench() {}

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 41;
        Submit submit = tenSecondsStereo();
        long payload = submit.prime().length() * 4L;
        double[] enc = new double[runs];
        double[] dec = new double[runs];
        for (int i = 0; i < 20; i++) { // warm-up: let the JIT compile both paths
            ProtocolCodec.decode(ProtocolCodec.encode(submit));
        }
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            List<byte[]> frames = ProtocolCodec.encode(submit);
            long t1 = System.nanoTime();
            Message back = ProtocolCodec.decode(frames);
            long t2 = System.nanoTime();
            if (!(back instanceof Submit)) {
                throw new AssertionError();
            }
            enc[i] = (t1 - t0) / 1e6;
            dec[i] = (t2 - t1) / 1e6;
        }
        System.out.println("| message | encode | decode | encode + decode | throughput |");
        System.out.println("| --- | --- | --- | --- | --- |");
        double e = median(enc);
        double d = median(dec);
        double mb = payload / 1e6;
        System.out.printf("| submit, 10 s stereo 48 kHz (%.2f MB audio) | %.2f ms | %.2f ms | %.2f ms | %.0f MB/s |%n",
                mb, e, d, e + d, mb / ((e + d) / 1e3));

        Heartbeat hb = new Heartbeat(17, 123_456_789);
        int batch = 20_000;
        double[] per = new double[runs];
        for (int i = 0; i < 10; i++) {
            loop(hb, batch);
        }
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            loop(hb, batch);
            per[i] = (System.nanoTime() - t0) / 1e3 / batch;
        }
        double h = median(per);
        System.out.printf("| heartbeat (%d-byte header) | | | %.2f us | %.0f msg/s |%n",
                ProtocolCodec.encode(hb).get(0).length, h, 1e6 / h);
    }

    private static void loop(Heartbeat hb, int n) {
        for (int i = 0; i < n; i++) {
            if (ProtocolCodec.decode(ProtocolCodec.encode(hb)).req() != 17) {
                throw new AssertionError();
            }
        }
    }

    private static Submit tenSecondsStereo() {
        float[] s = new float[48_000 * 10 * 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Math.sin(i * 0.001) * 0.5f;
        }
        return new Submit(1, new DawContext(48_000, 120, 4, 4, 0, 0),
                new GenerationRequest("segue-default", "full-4bars", new Length.Bars(4), 4, Quality.FULL,
                        List.of(0.99, 0.99, 0.99), null, 0.95, 42, null, null, null),
                Audio.of(2, s));
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
