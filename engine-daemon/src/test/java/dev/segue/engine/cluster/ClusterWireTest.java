package dev.segue.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.protocol.Audio;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How jobs are named and carried on NATS: no NATS needed. */
class ClusterWireTest {
    @Test
    void aSubmitSurvivesPackingBitExact() {
        float[] prime = {0.25f, -0.0f, Float.MIN_VALUE, -1.5f};
        Submit s = new Submit(9, new DawContext(44100, 120, 4, 4, 7, 0.0), new GenerationRequest("stand-in", "sketch",
                new Length.Bars(2), 3, Quality.SKETCH, List.of(0.9), null, null, -1L, null, null, null),
                Audio.of(2, prime));
        Submit back = (Submit) Frames.unpackMessage(Frames.pack(s));
        assertEquals(s.request(), back.request());
        assertEquals(s.context(), back.context());
        assertArrayEquals(prime, back.prime().toArray());
    }

    @Test
    void aPayloadThatIsNotPackedFramesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Frames.unpack(new byte[] {0, 0, 0, 9, 1}));
        assertThrows(IllegalArgumentException.class, () -> Frames.unpack(new byte[] {0, 0}));
        assertThrows(IllegalArgumentException.class, () -> Frames.unpack(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
    }

    @Test
    void priorNamesBecomeSafeSubjectTokens() {
        assertEquals("segue.jobs.default", Names.jobSubject("default"));
        String odd = Names.token("v3 5b.lyrics>*");
        assertTrue(odd.matches("x[0-9a-f]+"), odd);
        assertEquals("x612062", Names.token("a b"));
        assertEquals("x78363132303632", Names.token("x612062"), "a literal name never collides with a hex form");
        assertEquals("j1/w1-1-abc/state-03.bin", Names.stateOfTake(Names.takeObject("j1", "w1-1-abc", 2)));
    }

    @Test
    void aJobMessageCarriesItsTicket() {
        JobTicket extend = JobTicket.extend("j2", "default", "j1", 3, 44100);
        JobTicket back = JobTicket.from(extend.toMessage());
        assertEquals(extend.kind(), back.kind());
        assertEquals("j1", back.sourceJob());
        assertEquals(3, back.candidate());
        assertEquals(44100, back.frames());
        assertEquals("segue.jobs.default", extend.toMessage().getSubject());
        assertEquals("j2", extend.toMessage().getHeaders().getFirst("Nats-Msg-Id"), "JetStream drops a second publish");
        JobTicket big = JobTicket.from(JobTicket.submit("j3", "default", null).toMessage());
        assertEquals(null, big.inlineSubmit(), "a large prime is named, not carried");
    }
}
