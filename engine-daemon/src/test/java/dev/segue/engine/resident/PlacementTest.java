package dev.segue.engine.resident;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.resident.EngineBackedContinuation;
import dev.segue.engine.resident.ResidentModel;
import dev.segue.engine.resident.TakeState;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.testing.ReferenceFixture;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Quality;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lengths at the DAW's rate are exact for every DAW rate and tempo the issue names, in bars and in seconds:
 * the takes come back with exactly the frames the protocol's formula gives (the daemon places them at
 * prime_start + prime frames, checked in DaemonTest), through the real pipeline and both resamplings.
 */
class PlacementTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.jukebox();

    private static NDManager root;
    private static ResidentModel model;
    private static EngineBackedContinuation engine;

    @BeforeAll
    static void load() {
        root = fixture.root();
        model = ResidentModel.load(root, fixture.dir());
        engine = new EngineBackedContinuation("fixture", root, new ContinuationPipeline(model.vqvae(), model.priors()));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static long framesFor(DawContext context, Length length) {
        double seconds = length instanceof Length.Bars b ? context.secondsForBars(b.bars()) : ((Length.Seconds) length).seconds();
        return (long) Math.floor(seconds * context.sampleRate() + 0.5);
    }

    @Test
    void takesHaveExactlyTheAskedLengthAtEveryRateAndTempo() {
        for (int rate : new int[] {44_100, 48_000, 96_000}) {
            for (double bpm : new double[] {90, 120, 174}) {
                // A quarter bar keeps the test fast; the formula and the resampling are the same for any length.
                check(new DawContext(rate, bpm, 4, 4, 3 * rate, 2.0), new Length.Bars(0.25));
            }
            check(new DawContext(rate, 120, 7, 8, 0, 0.0), new Length.Bars(0.5));
            check(new DawContext(rate, 120, 4, 4, 0, 0.0), new Length.Seconds(0.3333));
        }
    }

    private static void check(DawContext context, Length length) {
        long frames = framesFor(context, length);
        float[] prime = new float[context.sampleRate()]; // one second
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / context.sampleRate()));
        }
        GenerationRequest request = new GenerationRequest("fixture", "sketch", length, 1, Quality.SKETCH, List.of(0.9),
                null, null, 7, null, null, null);
        float[][] takes = engine.continueAudio(prime, context.sampleRate(), frames, request, new Monitor() {
            @Override
            public void progress(int level, long done, long total) {}

            @Override
            public boolean cancelled() {
                return false;
            }
        });
        assertEquals(frames, takes[0].length, context + " " + length);
        for (float v : takes[0]) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void anExtensionSamplesOnlyNewTokensAndStartsWhereTheTakeEnded() {
        int rate = 48_000;
        float[] prime = new float[rate];
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / rate));
        }
        long first = 12_000;
        GenerationRequest request = new GenerationRequest("fixture", "sketch", new Length.Seconds(0.25), 2, Quality.SKETCH,
                List.of(0.9), null, null, 7, null, null, null);
        ContinuationEngine.Takes takes = engine.continueTakes(prime, rate, first, request, quiet());
        assertEquals(2, takes.state().length);
        TakeState before = TakeState.fromBytes(takes.state()[1]);
        long[] topBefore = before.codes().get(2);

        long more = 20_000;
        long[] newTokens = {0};
        ContinuationEngine.Takes extended = engine.extend(takes.state()[1], takes.audio()[1], rate, more,
                new Monitor() {
                    @Override
                    public void progress(int level, long done, long total) {
                        newTokens[0] = total;
                    }

                    @Override
                    public boolean cancelled() {
                        return false;
                    }
                });
        assertEquals(more, extended.audio()[0].length, "only the new audio, exactly as long as asked");
        TakeState after = TakeState.fromBytes(extended.state()[0]);
        long[] topAfter = after.codes().get(2);
        assertArrayEquals(topBefore, java.util.Arrays.copyOf(topAfter, topBefore.length), "the take's codes are kept");
        // 20,000 samples at 48 kHz are 18,375 at 44.1 kHz: 144 top-level tokens of 128 samples, give or take the
        // margin and the part of the last old token already sampled. The old tokens are not sampled again.
        assertEquals(topAfter.length - topBefore.length, newTokens[0]);
        assertTrue(newTokens[0] >= 140 && newTokens[0] <= 146, "new tokens " + newTokens[0]);
        // A state the engine did not write is refused, not misread.
        byte[] corrupt = takes.state()[0].clone();
        corrupt[corrupt.length - 9] ^= 0x7f;
        corrupt = java.util.Arrays.copyOf(corrupt, corrupt.length - 3);
        byte[] truncated = corrupt;
        assertThrows(IllegalArgumentException.class, () -> TakeState.fromBytes(truncated));
    }

    @Test
    void aPriorWithAFixedBeatGivesExactLengthsAndExtendsAtTheSongsTempo() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(fixture.dir().resolve("config.json").toFile());
        var top = (com.fasterxml.jackson.databind.node.ObjectNode) tree.path("priors").path("2");
        top.put("beat_clock", true);
        top.put("beat_codes", 128); // 161.5 BPM at the fixture's 44.1 kHz
        dev.segue.engine.config.ModelConfig config = dev.segue.engine.config.ModelConfig.fromJson(tree, "fixed beat");
        try (dev.segue.engine.prior.Prior fixed = new dev.segue.engine.prior.Prior(config.priors().get(2),
                config.vqvae(), new dev.segue.engine.checkpoint.RandomWeights(11, 0.3), root)) {
            EngineBackedContinuation warped = new EngineBackedContinuation("fixed", root,
                    new ContinuationPipeline(model.vqvae(), java.util.Map.of(2, fixed)));
            int rate = 48_000;
            float[] prime = new float[rate];
            for (int i = 0; i < prime.length; i++) {
                prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / rate));
            }
            GenerationRequest request = new GenerationRequest("fixed", "sketch", new Length.Bars(0.25), 1,
                    Quality.SKETCH, List.of(0.9), null, null, 7, null, null, null);
            for (double bpm : new double[] {93, 174}) {
                DawContext context = new DawContext(rate, bpm, 4, 4, 3 * rate, 2.0);
                long frames = framesFor(context, new Length.Bars(0.25));
                ContinuationEngine.Takes takes = warped.continueTakes(prime, rate, frames, request, context, quiet());
                assertEquals(frames, takes.audio()[0].length, "exact at " + bpm + " BPM");
                TakeState state = TakeState.fromBytes(takes.state()[0]);
                assertEquals(bpm, state.warp().bpm(), "the take keeps the song's tempo for its extensions");
                long more = 20_000;
                ContinuationEngine.Takes extended = warped.extend(takes.state()[0], takes.audio()[0], rate, more, quiet());
                assertEquals(more, extended.audio()[0].length, "only the new audio, exactly as long as asked");
                TakeState after = TakeState.fromBytes(extended.state()[0]);
                assertEquals(state.warp(), after.warp());
                assertArrayEquals(state.codes().get(2), java.util.Arrays.copyOf(after.codes().get(2),
                        state.codes().get(2).length), "the take's codes are kept");
            }
        }
    }

    private static Monitor quiet() {
        return new Monitor() {
            @Override
            public void progress(int level, long done, long total) {}

            @Override
            public boolean cancelled() {
                return false;
            }
        };
    }
}
