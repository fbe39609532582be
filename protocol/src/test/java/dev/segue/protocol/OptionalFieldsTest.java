package dev.segue.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Priors;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Quality;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The optional keys of priors (weight_bytes, loaded, max_quality) and progress (stage): sent when set, absent
 * otherwise.
 */
class OptionalFieldsTest {
    @Test
    void priorSizeAndLoadedSurviveTheWire() {
        Priors sent = new Priors(3, List.of(new PriorInfo("big", 3, 44100, true, 10_000_000_000L, false),
                new PriorInfo("old", 3, 44100, false)));
        Priors got = (Priors) ProtocolCodec.decode(ProtocolCodec.encode(sent));
        assertEquals(sent, got);
        assertNull(got.priors().get(1).weightBytes());
        assertNull(got.priors().get(1).loaded());
        assertNull(got.priors().get(1).maxQuality());
    }

    @Test
    void theDeepestTierSurvivesTheWireAndAnUnknownOneIsRefused() {
        Priors sent = new Priors(4, List.of(new PriorInfo("default", 3, 16000, false, 24_000_000L, true, Quality.DRAFT),
                new PriorInfo("sketchy", 3, 44100, false, null, null, Quality.SKETCH)));
        List<byte[]> frames = ProtocolCodec.encode(sent);
        assertEquals(sent, ProtocolCodec.decode(frames));
        // The same message with a tier the protocol has no word for: the decoder says which key and why.
        byte[] header = frames.get(0).clone();
        String text = new String(header, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("draft");
        assertTrue(at > 0);
        header[at + 4] = 'x';
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> ProtocolCodec.decode(List.of(header)));
        assertEquals(ErrorCode.BAD_MESSAGE, e.code());
        assertTrue(e.getMessage().contains("priors[].max_quality") && e.getMessage().contains("'drafx'"),
                e.getMessage());
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
