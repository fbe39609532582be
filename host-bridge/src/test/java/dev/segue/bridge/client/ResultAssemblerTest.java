package dev.segue.bridge.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.segue.protocol.Audio;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.Result;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultAssemblerTest {
    private static final float[] MONO = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f, 0.7f};

    private static Result chunk(int candidate, int from, int to, long seed) {
        return new Result(1, "j", candidate, 44_100, 0, MONO.length, from, seed, Map.of(),
                Audio.of(1, Arrays.copyOfRange(MONO, from, to)));
    }

    @Test
    void chunksInAnyOrderWithOverlapsMakeOneTake() throws Exception {
        ResultAssembler a = new ResultAssembler("j");
        a.add(chunk(0, 5, 7, 9));
        a.add(chunk(0, 0, 3, 9));
        a.add(chunk(0, 2, 6, 9)); // overlaps both neighbours, as a re-sent chunk would
        Take t = a.finish(new Done(1, "j", 1)).takes().get(0);
        assertArrayEquals(MONO, t.samples());
        assertEquals(9, t.seed());
    }

    @Test
    void aGapIsReportedAtDone() throws Exception {
        ResultAssembler a = new ResultAssembler("j");
        a.add(chunk(0, 0, 3, 9));
        a.add(chunk(0, 4, 7, 9));
        DaemonException e = assertThrows(DaemonException.class, () -> a.finish(new Done(1, "j", 1)));
        assertEquals("job j: done before candidate 0 was whole (6 of 7 frames)", e.text());
    }

    @Test
    void chunksThatContradictEachOtherAreRefused() throws Exception {
        ResultAssembler a = new ResultAssembler("j");
        a.add(chunk(0, 0, 3, 9));
        DaemonException e = assertThrows(DaemonException.class, () -> a.add(chunk(0, 3, 7, 10)));
        assertEquals(DaemonException.Kind.BAD_REPLY, e.kind());
    }

    @Test
    void doneMustCountTheCandidatesThatArrived() throws Exception {
        ResultAssembler a = new ResultAssembler("j");
        a.add(chunk(1, 0, 7, 9));
        assertThrows(DaemonException.class, () -> a.finish(new Done(1, "j", 2)));
        assertThrows(DaemonException.class, () -> a.finish(new Done(1, "j", 1)), "candidate 0 is missing");
    }
}
