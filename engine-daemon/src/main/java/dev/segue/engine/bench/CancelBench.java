package dev.segue.engine.bench;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.resident.EngineBackedContinuation;
import dev.segue.engine.resident.PresetFiles;
import dev.segue.engine.resident.ResidentModel;
import dev.segue.engine.resident.Warmup;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.bench.Stats;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.server.Daemon;
import dev.segue.engine.server.ResultStore;
import dev.segue.protocol.Audio;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * {@code bench cancel}: the default prior's job behind a daemon in this process, cancelled over loopback at random
 * times, so every stage of the job (resampling, encoding, trait measurement, prefill, sampling, previews, decoding)
 * is hit. Two figures per cancel, both from the moment the client sent {@code cancel}: until its {@code CANCELLED}
 * arrived, and until the engine call returned (the engine is free for the next job then). Each cancel is also
 * filed under the stage the engine was in when it first saw the flag. One uncancelled job first times the job and
 * its first preview, after the daemon's warm-up job (as {@code segue daemon} runs it before listening) unless
 * {@code --cold}.
 */
public final class CancelBench {
    private CancelBench() {}

    /** What the engine side saw of the current job. */
    private static final class Timing {
        volatile long flagSeenNanos;
        volatile long stoppedNanos;
        volatile String stageAtFlag = "?";
        volatile String stage = "start";
        final LinkedBlockingQueue<Long> stopped = new LinkedBlockingQueue<>();
    }

    /** The real engine, with the cancel flag's first "yes" and the call's end timed. */
    private static ContinuationEngine timed(ContinuationEngine engine, Timing t) {
        return new ContinuationEngine() {
            public String priorName() {
                return engine.priorName();
            }

            public int sampleRate() {
                return engine.sampleRate();
            }

            public int levels() {
                return engine.levels();
            }

            public boolean labels() {
                return engine.labels();
            }

            public double maxContinuationSeconds() {
                return engine.maxContinuationSeconds();
            }

            public double minPrimeSeconds() {
                return engine.minPrimeSeconds();
            }

            public Takes continueTakes(float[] prime, int rate, long frames, GenerationRequest r, DawContext context,
                                       Monitor m) {
                t.flagSeenNanos = 0;
                t.stage = "encode and measure";
                try {
                    return engine.continueTakes(prime, rate, frames, r, context, new Monitor() {
                        public void progress(int level, long done, long total) {
                            t.stage = done >= total ? "decode" : "sample";
                            m.progress(level, done, total);
                        }

                        public boolean cancelled() {
                            boolean c = m.cancelled();
                            if (c && t.flagSeenNanos == 0) {
                                t.flagSeenNanos = System.nanoTime();
                                t.stageAtFlag = t.stage;
                            }
                            return c;
                        }

                        public void preview(int candidate, long offset, float[] audio) {
                            m.preview(candidate, offset, audio);
                        }
                    });
                } finally {
                    t.stoppedNanos = System.nanoTime();
                    t.stopped.add(t.stoppedNanos);
                }
            }
        };
    }

    public static int run(int cancels, int takes, double bars, double primeSeconds, boolean cold, long seed) throws Exception {
        Path data = Files.createTempDirectory("segue-bench-cancel");
        Timing timing = new Timing();
        try (NDManager root = Djl.cpuManager()) {
            ResidentModel model = ResidentModel.loadAll(root, ResidentModel.defaultDirs().get(0)).get(0);
            ContinuationEngine engine = new EngineBackedContinuation(model.name(), root,
                    new ContinuationPipeline(model.vqvae(), model.priors()), model.labelNames());
            long startNanos = System.nanoTime();
            if (!cold) {
                System.out.printf(Locale.ROOT, "warm-up job: %d ms%n", Warmup.run(engine)); // as the daemon does
            }
            Daemon daemon = new Daemon("tcp://127.0.0.1:*", ResultStore.open(data), timed(engine, timing), 4);
            Thread serving = new Thread(daemon::serve, "bench-daemon");
            serving.setDaemon(true);
            serving.start();
            String endpoint = daemon.awaitBound();
            PcmAudio wav = WavReader.read(PresetFiles.home().resolve("presets/demo-prime.wav"), Bounds.MAX_AUDIO_SECONDS);
            int rate = wav.sampleRate();
            float[] whole = wav.mono();
            float[] mono = java.util.Arrays.copyOf(whole, Math.min(whole.length, (int) (primeSeconds * rate)));
            float[] stereo = new float[mono.length * 2];
            for (int i = 0; i < mono.length; i++) {
                stereo[2 * i] = mono[i];
                stereo[2 * i + 1] = mono[i];
            }
            DawContext context = new DawContext(rate, 120, 4, 4, 0, 0);
            try (ZContext zmq = new ZContext()) {
                ZMQ.Socket s = zmq.createSocket(SocketType.DEALER);
                s.setReceiveTimeOut(600_000);
                s.setHandshakeIvl(1000); // JeroMQ 0.6.0 can leave a new connection stuck before its handshake
                s.connect(endpoint);
                Wire.send(s, new Hello(1, "bench-cancel", "1", 1));
                receive(s);
                long req = 10;
                // The uncancelled job: its length sets the range of cancel times, and it warms the kernels.
                long t0 = System.nanoTime();
                Wire.send(s, submit(model.name(), ++req, context, takes, bars, seed, stereo));
                long firstPreview = 0;
                Message m;
                do {
                    m = receive(s);
                    if (m instanceof Preview && firstPreview == 0) {
                        firstPreview = System.nanoTime() - t0;
                    }
                } while (!(m instanceof Done) && !(m instanceof ErrorReply));
                long jobNanos = System.nanoTime() - t0;
                System.out.printf(Locale.ROOT, "cancel bench: prior '%s', %d takes of %.0f bars from a %.1f s stereo "
                        + "%d Hz prime: the uncancelled job took %.2f s, first preview at %.2f s after submit, %.2f s "
                        + "after the model was loaded (%s)%n", model.name(), takes, bars, mono.length / (double) rate, rate,
                        jobNanos / 1e9, firstPreview / 1e9, (t0 + firstPreview - startNanos) / 1e9,
                        cold ? "cold: no warm-up" : "warmed up first, as the daemon is");
                if (cancels > 0) {
                    // The first job pays for first calls the warm-up's shorter shapes did not make; the cancels go
                    // within a second, warm job's span, else most would land after their job ended.
                    long t1 = System.nanoTime();
                    Wire.send(s, submit(model.name(), ++req, context, takes, bars, seed, stereo));
                    do {
                        m = receive(s);
                    } while (!(m instanceof Done) && !(m instanceof ErrorReply));
                    jobNanos = System.nanoTime() - t1;
                    System.out.printf(Locale.ROOT, "a second uncancelled job took %.2f s: cancels go within that%n",
                            jobNanos / 1e9);
                }
                Random random = new Random(seed);
                List<Double> answer = new ArrayList<>();
                List<Double> engineStop = new ArrayList<>();
                java.util.Map<String, List<Double>> byStage = new java.util.TreeMap<>();
                int finishedFirst = 0;
                // Until `cancels` cancels have landed in a running job; one that comes after the job ended (answered
                // done) is counted apart, and the run gives up after three times as many jobs.
                for (int i = 0; answer.size() < cancels && i < 3 * cancels; i++) {
                    timing.stopped.clear();
                    long submitted = System.nanoTime();
                    Wire.send(s, submit(model.name(), ++req, context, takes, bars, seed + i + 1, stereo));
                    String job = null;
                    while (job == null) {
                        Message a = receive(s);
                        if (a instanceof Accepted acc) {
                            job = acc.job();
                        }
                    }
                    long at = submitted + (long) (random.nextDouble() * jobNanos);
                    long wait = at - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    long cancelReq = ++req;
                    long sent = System.nanoTime();
                    Wire.send(s, new Cancel(cancelReq, job));
                    Message end;
                    do {
                        end = receive(s);
                    } while (end.req() != cancelReq);
                    long answered = System.nanoTime();
                    if (!(end instanceof ErrorReply e && e.code() == ErrorCode.CANCELLED)) {
                        finishedFirst++; // the job ended before the cancel came: answered done
                    } else {
                        answer.add((answered - sent) / 1e6);
                    }
                    // The engine is free again once its call returns; the next job waits for that.
                    timing.stopped.poll(600, TimeUnit.SECONDS);
                    if (end instanceof ErrorReply && timing.flagSeenNanos != 0) {
                        double ms = (timing.stoppedNanos - sent) / 1e6;
                        engineStop.add(ms);
                        byStage.computeIfAbsent(timing.stageAtFlag, k -> new ArrayList<>()).add(ms);
                    }
                    drain(s);
                }
                System.out.printf(Locale.ROOT, "cancel answered (client: cancel sent to CANCELLED received): p50 %.1f ms, "
                        + "p99 %.1f ms, max %.1f ms over %d cancels (%d jobs had finished first)%n",
                        Stats.percentile(answer, 50), Stats.percentile(answer, 99), Stats.percentile(answer, 100),
                        answer.size(), finishedFirst);
                System.out.printf(Locale.ROOT, "engine stopped (cancel sent to engine call returned): p50 %.1f ms, "
                        + "p99 %.1f ms, max %.1f ms over %d%n", Stats.percentile(engineStop, 50),
                        Stats.percentile(engineStop, 99), Stats.percentile(engineStop, 100), engineStop.size());
                byStage.forEach((stage, ms) -> System.out.printf(Locale.ROOT, "  flag seen during %s: %d cancels, "
                        + "engine stopped p50 %.1f ms, max %.1f ms%n", stage, ms.size(), Stats.percentile(ms, 50),
                        Stats.percentile(ms, 100)));
            } finally {
                daemon.close();
            }
        }
        return 0;
    }

    private static Submit submit(String prior, long req, DawContext context, int takes, double bars, long seed, float[] stereo) {
        return new Submit(req, context, new GenerationRequest(prior, "sketch", new Length.Bars(bars), takes,
                Quality.SKETCH, List.of(0.9), null, null, seed, null, null, null), Audio.of(2, stereo));
    }

    private static void drain(ZMQ.Socket s) {
        while (ZMsg.recvMsg(s, ZMQ.DONTWAIT) != null) {
            // previews and progress of the cancelled job, sent before it ended
        }
    }

    private static Message receive(ZMQ.Socket s) {
        Message m = Wire.receive(s, 0);
        if (m == null) {
            throw new IllegalStateException("the daemon did not answer");
        }
        return m;
    }
}
