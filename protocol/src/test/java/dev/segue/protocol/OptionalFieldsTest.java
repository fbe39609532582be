package dev.segue.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Priors;
import dev.segue.protocol.message.Progress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The optional keys of priors (weight_bytes, loaded) and progress (stage): sent when set, absent otherwise. */
class OptionalFieldsTest {
    @Test
    void priorSizeAndLoadedSurviveTheWire() {
        Priors sent = new Priors(3, List.of(new PriorInfo("big", 3, 44100, true, 10_000_000_000L, false),
                new PriorInfo("old", 3, 44100, false)));
        Priors got = (Priors) ProtocolCodec.decode(ProtocolCodec.encode(sent));
        assertEquals(sent, got);
        assertNull(got.priors().get(1).weightBytes());
        assertNull(got.priors().get(1).loaded());
    }

    @Test
    void progressStageSurvivesTheWireAndIsAbsentByDefault() {
        Progress loading = new Progress(5, "j1", 2, 0, 1, 0, "loading prior");
        assertEquals(loading, ProtocolCodec.decode(ProtocolCodec.encode(loading)));
        Progress plain = new Progress(5, "j1", 2, 1, 2, 0);
        List<byte[]> frames = ProtocolCodec.encode(plain);
        assertNull(((Progress) ProtocolCodec.decode(frames)).stage());
        // Without a stage the encoding is byte for byte what it was before the key existed (golden vectors).
        assertEquals(ProtocolCodec.encode(new Progress(5, "j1", 2, 1, 2, 0, null)).get(0).length, frames.get(0).length);
    }
}
