package dev.segue.engine.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.sampling.WindowCache;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Quality;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The resident layer is what the daemon and the cluster's workers serve through: every call must reach the loaded
 * engine with all its arguments. A method it left to {@link ContinuationEngine}'s default would quietly take the
 * default's path, as the DAW's context once did (a default dropped it, so the beat clock measured the prime instead).
 * The two calls without a context are the exception: the interface defines them through the one it declares
 * abstract, so they reach the loaded engine through that.
 */
class ResidentContinuationTest {
    private static final Path DEFAULT = Path.of(System.getProperty("segue.home", "..")).resolve("presets/default");

    /** Name and parameter count of the defaults that only call {@code continueTakes} with a null context. */
    private static final List<String> THROUGH_THE_ABSTRACT_CALL = List.of("continueTakes5", "continueAudio5");

    @Test
    void everyEngineMethodIsForwarded() {
        List<String> missing = new ArrayList<>();
        for (Method m : ContinuationEngine.class.getMethods()) {
            if (m.isDefault() && !THROUGH_THE_ABSTRACT_CALL.contains(m.getName() + m.getParameterCount())) {
                try {
                    ResidentContinuation.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                } catch (NoSuchMethodException e) {
                    missing.add(m.getName() + List.of(m.getParameterTypes()).stream().map(Class::getSimpleName).toList());
                }
            }
        }
        assertTrue(missing.isEmpty(), "ResidentContinuation leaves to the interface's default: " + missing);
    }

    /** The shipped prior's take keeps the clock it was sampled with: the DAW's tempo and metre, not the prime's. */
    @Test
    void theDawsGridReachesTheBeatClock() {
        int rate = 16_000;
        float[] prime = new float[2 * rate];
        for (int i = 0; i < prime.length; i++) { // a tone with a click every 0.5 s: 120 BPM to an estimator
            prime[i] = (float) (0.2 * Math.sin(2 * Math.PI * 220.0 * i / rate) + (i % (rate / 2) < 80 ? 0.6 : 0));
        }
        ModelFolder folder = ModelFolder.of(DEFAULT, null);
        ComputeDevice cpu = ComputeDevice.choose("cpu");
        long size = folder.estimateBytes(cpu, WeightFormat.FP32);
        try (NDManager root = Djl.cpuManager()) {
            ResidentSet<ResidentContinuation.Loaded> set = new ResidentSet<>(4 * size);
            ResidentContinuation engine = ResidentContinuation.engines(root, List.of(folder), List.of(size), set,
                    WindowCache.SHIFT, WeightFormat.FP32).get(0);
            GenerationRequest request = new GenerationRequest(engine.priorName(), "sketch", new Length.Seconds(0.2), 1,
                    Quality.SKETCH, List.of(0.9), null, null, 7, null, null, null);
            DawContext context = new DawContext(rate, 100.0, 3, 4, 0, 1.0);
            ContinuationEngine.Takes takes = engine.continueTakes(prime, rate, (long) (0.2 * rate), request, context,
                    Monitor.NONE);
            assertNotNull(takes.state()[0], "the shipped prior keeps a state per take");
            PrimeTraits traits = TakeState.fromBytes(takes.state()[0]).traits();
            assertNotNull(traits, "the shipped prior has a beat clock");
            assertEquals(100.0, traits.bpm(), 1e-9, "the clock's tempo is the DAW's");
            assertEquals(3.0, traits.beatsPerBar(), 1e-9, "the clock's bar is the DAW's 3/4");
        }
    }
}
