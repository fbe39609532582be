package dev.segue.engine.resident;

import static dev.segue.engine.testing.RawClient.receive;
import static dev.segue.engine.testing.RawClient.send;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.testing.RawClient;
import dev.segue.engine.resident.ModelFolder;
import dev.segue.engine.resident.ResidentContinuation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.resident.ComputeDevice;
import dev.segue.engine.resident.ResidentSet;
import dev.segue.engine.sampling.WindowCache;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.server.Daemon;
import dev.segue.engine.server.ResultStore;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.Audio;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Priors;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The daemon under a memory budget that holds one of two small priors at a time: the first is loaded at start,
 * a job for the other unloads it (saying "loading prior" in its progress), a job for the first loads it again,
 * {@code priors} tells sizes and what is loaded, and a prior bigger than the whole budget is refused with its
 * size and the budget while the daemon keeps serving.
 */
class MemoryBudgetDaemonTest {
    private static final Path SHARED = Path.of(System.getProperty("segue.shared", "../../shared"));
    private static final Path REF = SHARED.resolve("conformance/jukebox-ref");
    private static final int RATE = 44_100;

    @TempDir
    static Path temp;
    private static NDManager root;
    private static ResidentSet<ResidentContinuation.Loaded> set;
    private static Daemon daemon;
    private static String endpoint;
    private static ZContext context;
    private static long sketchBytes;
    private static long defaultBytes;
    private static long fullBytes;

    @BeforeAll
    static void start() throws Exception {
        Path sketch = link("ref-sketch", REF, "config.json", "vqvae.safetensors", "prior_level_2.safetensors");
        Path full = link("ref-full", REF, "config.json", "vqvae.safetensors", "prior_level_2.safetensors",
                "prior_level_1.safetensors", "prior_level_0.safetensors");
        // The shipped default prior without its draft tier's upsampler: a second small prior.
        Path shipped = link("default", Path.of(System.getProperty("segue.home", "..")).resolve("presets/default"),
                "config.json", "vqvae.safetensors", "prior_level_2.safetensors");
        ComputeDevice cpu = ComputeDevice.choose("cpu");
        List<ModelFolder> folders = List.of(ModelFolder.of(sketch, null), ModelFolder.of(shipped, null),
                ModelFolder.of(full, null));
        List<Long> sizes = folders.stream().map(f -> f.estimateBytes(cpu, WeightFormat.FP32)).toList();
        sketchBytes = sizes.get(0);
        defaultBytes = sizes.get(1);
        fullBytes = sizes.get(2);
        // Room for either small prior but not both; the one with upsamplers never fits.
        long budget = Math.max(sketchBytes, defaultBytes) + Math.min(sketchBytes, defaultBytes) / 2;
        assertTrue(fullBytes > budget, "the folder with upsamplers must exceed the budget: " + sizes);
        root = Djl.cpuManager();
        set = new ResidentSet<>(budget);
        List<ContinuationEngine> engines = new ArrayList<>(ResidentContinuation.engines(root, folders, sizes, set,
                WindowCache.SHIFT, WeightFormat.FP32));
        ((ResidentContinuation) engines.get(0)).preload();
        daemon = new Daemon("tcp://127.0.0.1:*", ResultStore.open(temp.resolve("data")), engines, 4, null);
        Thread t = new Thread(daemon::serve, "budget-daemon-under-test");
        t.setDaemon(true);
        t.start();
        endpoint = daemon.awaitBound();
    }

    /**
     * Each test's sockets in a context of their own: a socket closed in one shared context while the next test's
     * connects once tripped an assertion inside JeroMQ's teardown (zmq.Own.unregisterTermAck).
     */
    @AfterEach
    void closeContext() {
        if (context != null) {
            context.close();
            context = null;
        }
    }

    private static Path link(String name, Path from, String... files) throws Exception {
        Path dir = Files.createDirectory(temp.resolve(name));
        for (String f : files) {
            Files.createSymbolicLink(dir.resolve(f), from.toAbsolutePath().resolve(f));
        }
        return dir;
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (set != null) {
            set.closeAll();
        }
        if (root != null) {
            root.close();
        }
    }

    @Test
    void priorsAreUnloadedAndReloadedToStayInsideTheBudget() {
        ZMQ.Socket s = client();
        Map<String, PriorInfo> listed = priors(s);
        assertEquals(sketchBytes, listed.get("ref-sketch").weightBytes());
        assertEquals(defaultBytes, listed.get("default").weightBytes());
        assertEquals(fullBytes, listed.get("ref-full").weightBytes());
        assertEquals(Map.of("ref-sketch", true, "default", false, "ref-full", false), loaded(listed));
        // Each prior's deepest tier, said before it is loaded: the folder's upsamplers decide it.
        assertEquals(Map.of("ref-sketch", Quality.SKETCH, "default", Quality.SKETCH, "ref-full", Quality.FULL),
                listed.values().stream().collect(Collectors.toMap(PriorInfo::name, PriorInfo::maxQuality)));

        List<Progress> progress = runJob(s, 10, "default");
        assertEquals("loading prior", progress.get(0).stage(), progress.toString());
        assertEquals(Map.of("ref-sketch", false, "default", true, "ref-full", false), loaded(priors(s)));

        List<Progress> again = runJob(s, 11, "default"); // loaded: no wait this time
        assertTrue(again.stream().allMatch(p -> p.stage() == null), again.toString());

        List<Progress> back = runJob(s, 12, "ref-sketch");
        assertEquals("loading prior", back.get(0).stage(), back.toString());
        assertEquals(Map.of("ref-sketch", true, "default", false, "ref-full", false), loaded(priors(s)));
        assertTrue(set.used() <= set.budget());
        s.close();
    }

    @Test
    void aPriorThatCanNeverFitIsRefusedWithItsSizeAndTheBudgetAndTheDaemonKeepsServing() {
        ZMQ.Socket s = client();
        send(s, submit(20, "ref-full"));
        ErrorReply e = assertInstanceOf(ErrorReply.class, receive(s));
        assertEquals(ErrorCode.TOO_LARGE, e.code(), e.text());
        assertTrue(e.text().contains("'ref-full' needs " + ResidentSet.gb(fullBytes)), e.text());
        assertTrue(e.text().contains("memory budget is " + ResidentSet.gb(set.budget())), e.text());
        assertEquals(false, priors(s).get("ref-full").loaded());
        runJob(s, 21, "ref-sketch"); // still serving
        s.close();
    }

    private static Map<String, Boolean> loaded(Map<String, PriorInfo> listed) {
        return listed.values().stream().collect(Collectors.toMap(PriorInfo::name, PriorInfo::loaded));
    }

    private static Map<String, PriorInfo> priors(ZMQ.Socket s) {
        send(s, new ListPriors(2));
        Priors p = assertInstanceOf(Priors.class, receive(s));
        return p.priors().stream().collect(Collectors.toMap(PriorInfo::name, x -> x));
    }

    /** Submits a short sketch job and waits for it; returns its progress messages in order. */
    private static List<Progress> runJob(ZMQ.Socket s, long req, String prior) {
        send(s, submit(req, prior));
        List<Progress> progress = new ArrayList<>();
        Message m;
        do {
            m = receive(s);
            if (m instanceof Progress p) {
                progress.add(p);
            }
        } while (!(m instanceof Done || m instanceof ErrorReply));
        assertInstanceOf(Done.class, m, m::toString);
        assertTrue(!progress.isEmpty());
        return progress;
    }

    private static Submit submit(long req, String prior) {
        float[] prime = new float[RATE / 2];
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220.0 * i / RATE));
        }
        GenerationRequest request = new GenerationRequest(prior, "sketch", new Length.Seconds(0.2), 1, Quality.SKETCH,
                List.of(0.9), null, null, 7, null, null, null);
        return new Submit(req, new DawContext(RATE, 120.0, 4, 4, 0, 1.0), request, Audio.of(1, prime));
    }

    /** A connected client past hello (a connection stuck before the ZeroMQ handshake redials). */
    private static ZMQ.Socket client() {
        if (context == null) {
            context = new ZContext();
        }
        return RawClient.connect(context, endpoint, 120_000);
    }
}
