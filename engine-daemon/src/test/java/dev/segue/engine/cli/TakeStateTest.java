package dev.segue.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.SongLabels;
import dev.segue.engine.sampling.Tier;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A take's state keeps its prime's traits, so an extension after a restart hears the same clock. */
class TakeStateTest {
    private static TakeState state(PrimeTraits traits) {
        return new TakeState(Tier.SKETCH, 12, 4096, List.of(new SamplingParams(0.9, 0, 0.0, 77)),
                Map.of(2, new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}), SongLabels.NONE, traits);
    }

    @Test
    void traitsSurviveTheRoundTrip() {
        double[] chroma = new double[12];
        chroma[9] = 0.8;
        chroma[1] = 0.6;
        TakeState back = TakeState.fromBytes(state(new PrimeTraits(97.35, 0.25, chroma)).toBytes());
        assertEquals(97.35, back.traits().bpm());
        assertEquals(0.25, back.traits().firstBeatSeconds());
        assertArrayEquals(chroma, back.traits().chroma());
        assertNull(TakeState.fromBytes(state(null).toBytes()).traits(), "a prior without a clock keeps none");
        assertEquals(Double.NaN, TakeState.fromBytes(state(PrimeTraits.UNKNOWN).toBytes()).traits().bpm());
    }

    @Test
    void aVersionTwoStateReadsWithoutTraitsAndBadTraitsAreRefused() {
        byte[] v3 = state(null).toBytes();
        // Version 2 is version 3 without the trailing traits flag.
        byte[] v2 = java.util.Arrays.copyOf(v3, v3.length - 1);
        ByteBuffer.wrap(v2).putInt(4, 2);
        assertNull(TakeState.fromBytes(v2).traits());
        byte[] bad = state(new PrimeTraits(120, 0.25, new double[12])).toBytes();
        // The tempo sits 14 doubles from the end: make it 1000 BPM.
        ByteBuffer.wrap(bad).putDouble(bad.length - 14 * 8, 1000);
        assertThrows(IllegalArgumentException.class, () -> TakeState.fromBytes(bad));
    }
}
