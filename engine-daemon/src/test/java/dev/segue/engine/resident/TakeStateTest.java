package dev.segue.engine.resident;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.TempoWarp;
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
        byte[] v5 = state(null).toBytes();
        // Version 2 is version 3 (and 4) without the trailing traits flag, and 3 and 4 are 5 without the warp flag.
        byte[] v2 = java.util.Arrays.copyOf(v5, v5.length - 2);
        ByteBuffer.wrap(v2).putInt(4, 2);
        assertNull(TakeState.fromBytes(v2).traits());
        byte[] bad = state(new PrimeTraits(120, 0.25, new double[12])).toBytes();
        // The tempo sits 16 doubles, the bar cycle's count and the warp flag from the end: make it 1000 BPM.
        ByteBuffer.wrap(bad).putDouble(bad.length - 16 * 8 - 4 - 1, 1000);
        assertThrows(IllegalArgumentException.class, () -> TakeState.fromBytes(bad));
        byte[] badBar = state(new PrimeTraits(120, 0.25, new double[12])).toBytes();
        ByteBuffer.wrap(badBar).putDouble(badBar.length - 8 - 4 - 1, 9); // the first beat past a four-beat bar
        assertThrows(IllegalArgumentException.class, () -> TakeState.fromBytes(badBar));
    }

    @Test
    void aTempoWarpSurvivesTheRoundTripAndAVersionFourStateHasNone() {
        PrimeTraits traits = new PrimeTraits(117.1875, 0.1, new double[12]);
        TempoWarp warp = TempoWarp.of(93, 117.1875);
        TakeState withWarp = new TakeState(Tier.SKETCH, 12, 4096, List.of(new SamplingParams(0.9, 0, 0.0, 77)),
                Map.of(2, new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}), SongLabels.NONE, traits, warp);
        TakeState back = TakeState.fromBytes(withWarp.toBytes());
        assertEquals(warp, back.warp(), "an extension after a restart stretches as the take did");
        byte[] v4 = state(traits).toBytes();
        v4 = java.util.Arrays.copyOf(v4, v4.length - 4 - 1); // version 4: no bar cycle count, no warp flag
        ByteBuffer.wrap(v4).putInt(4, 4);
        assertNull(TakeState.fromBytes(v4).warp());
        assertEquals(traits.bpm(), TakeState.fromBytes(v4).traits().bpm());
        byte[] badWarp = withWarp.toBytes();
        ByteBuffer.wrap(badWarp).putDouble(badWarp.length - 16, 4000); // a song at 4000 BPM
        assertThrows(IllegalArgumentException.class, () -> TakeState.fromBytes(badWarp));
    }

    @Test
    void aGridClockSurvivesTheRoundTripSoAnExtensionContinuesItsPhase() {
        PrimeTraits grid = PrimeTraits.fromGrid(174, 3.5, 22.75, new double[12]); // 7/8 at 174: clocked at 87
        PrimeTraits back = TakeState.fromBytes(state(grid).toBytes()).traits();
        assertEquals(grid.beatsPerBar(), back.beatsPerBar());
        assertEquals(grid.firstBeatInBar(), back.firstBeatInBar());
        for (double s : new double[] {0, 9.87, 123.456}) { // the extension's windows read the clock at their own time
            assertEquals(grid.beatPhaseAt(s), back.beatPhaseAt(s), 1e-12);
            assertEquals(grid.barPhaseAt(s), back.barPhaseAt(s), 1e-12);
        }
    }

    @Test
    void aVersionThreeStateReadsWithTheFourBeatBarItsClockHad() {
        byte[] v6 = state(new PrimeTraits(97.35, 0.25, new double[12])).toBytes();
        // Without the bar's two doubles, the bar cycle's count and the warp flag.
        byte[] v3 = java.util.Arrays.copyOf(v6, v6.length - 16 - 4 - 1);
        ByteBuffer.wrap(v3).putInt(4, 3);
        PrimeTraits back = TakeState.fromBytes(v3).traits();
        assertEquals(97.35, back.bpm());
        assertEquals(4, back.beatsPerBar());
        assertEquals(0, back.firstBeatInBar());
    }

    @Test
    void aBarCycleSurvivesTheRoundTripAndAVersionFiveStateHasNone() {
        double[] c = new double[12];
        c[0] = 1;
        double[] a = new double[12];
        a[9] = 1;
        PrimeTraits cycled = new PrimeTraits(120, 0.1, 4, 2, c, new double[][] {c, a, c, a});
        PrimeTraits back = TakeState.fromBytes(state(cycled).toBytes()).traits();
        assertArrayEquals(cycled.barCycle(), back.barCycle(), "an extension after a restart hears the same bars");
        // Version 5: the same without the bar cycle (its count and four bars of 12 doubles).
        byte[] v6 = state(cycled).toBytes();
        byte[] v5 = new byte[v6.length - 4 - 4 * 12 * 8];
        int traitsEnd = v6.length - 1 - 4 - 4 * 12 * 8; // before the count; the warp flag is last
        System.arraycopy(v6, 0, v5, 0, traitsEnd);
        v5[v5.length - 1] = v6[v6.length - 1];
        ByteBuffer.wrap(v5).putInt(4, 5);
        assertNull(TakeState.fromBytes(v5).traits().barCycle());
        assertEquals(2, TakeState.fromBytes(v5).traits().firstBeatInBar());
        byte[] huge = state(cycled).toBytes();
        ByteBuffer.wrap(huge).putInt(traitsEnd, 1 << 30); // a corrupt count is refused before allocating
        assertThrows(IllegalArgumentException.class, () -> TakeState.fromBytes(huge));
    }
}
