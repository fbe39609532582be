package dev.segue.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.Labels;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.Presets;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bounds too big for vector files, and the encode side: invalid records cannot be built. */
class BoundsTest {

    @Test
    void headerOver256KiBIsTooLarge() {
        byte[] header = new byte[Bounds.MAX_HEADER_BYTES + 1];
        assertCode(ErrorCode.TOO_LARGE, "header", () -> ProtocolCodec.decode(List.of(header)));
    }

    @Test
    void messageOver96MiBIsTooLarge() {
        byte[] header = ProtocolCodec.encode(new Heartbeat(1, 1)).get(0);
        byte[] audio = new byte[Bounds.MAX_MESSAGE_BYTES - header.length + 1];
        assertCode(ErrorCode.TOO_LARGE, "message", () -> ProtocolCodec.decode(List.of(header, audio)));
    }

    @Test
    void theLongestPrimeFitsTheMessageBound() {
        int rate = Bounds.MAX_SAMPLE_RATE;
        float[] s = new float[(int) Bounds.maxAudioFrames(rate) * 2];
        Submit m = new Submit(1, new DawContext(rate, 120, 4, 4, 0, 0),
                new GenerationRequest("p", "q", new Length.Seconds(600), 16, Quality.FULL, List.of(1.0), null, null,
                        0, null, null, null), Audio.of(2, s));
        List<byte[]> frames = ProtocolCodec.encode(m);
        assertTrue(frames.get(0).length + (long) frames.get(1).length <= Bounds.MAX_MESSAGE_BYTES);
        assertEquals(m, ProtocolCodec.decode(frames));
    }

    @Test
    void theLargestPresetsListFitsTheHeaderBound() {
        String name = "n".repeat(Bounds.MAX_NAME_BYTES);
        String text = "\u00e9".repeat(Bounds.MAX_TEXT_BYTES / 2);
        List<PresetInfo> list = Collections.nCopies(Bounds.MAX_LIST_ENTRIES, new PresetInfo(name, name, text));
        byte[] header = ProtocolCodec.encode(new Presets(Bounds.MAX_UINT32, list)).get(0);
        assertTrue(header.length <= Bounds.MAX_HEADER_BYTES, header.length + " bytes");
    }

    @Test
    void recordsRejectWhatTheDecoderWouldReject() {
        assertCode(ErrorCode.BAD_MESSAGE, "req", () -> new Heartbeat(-1, 0));
        assertCode(ErrorCode.BAD_MESSAGE, "req", () -> new Heartbeat(Bounds.MAX_UINT32 + 1, 0));
        assertCode(ErrorCode.BAD_MESSAGE, "client", () -> new Hello(1, "bad \uD800", "1", 1));
        assertCode(ErrorCode.BAD_MESSAGE, "client", () -> new Hello(1, null, "1", 1));
        assertCode(ErrorCode.TOO_LARGE, "client", () -> new Hello(1, "\u00e9".repeat(65), "1", 1));
        assertCode(ErrorCode.BAD_MESSAGE, "job", () -> new Cancel(1, "a b"));
        assertCode(ErrorCode.BAD_SAMPLE_RATE, "context.sample_rate", () -> new DawContext(7999, 120, 4, 4, 0, 0));
        assertCode(ErrorCode.BAD_AUDIO, "audio", () -> Audio.of(1, new float[] {Float.NaN}));
        assertCode(ErrorCode.BAD_MESSAGE, "audio", () -> Audio.of(2, new float[] {0f, 0f, 0f}));
        assertCode(ErrorCode.BAD_MESSAGE, "channels", () -> Audio.of(3, new float[] {0f, 0f, 0f}));
        List<Double> nine = new ArrayList<>(Collections.nCopies(9, 1.0));
        assertCode(ErrorCode.TOO_LARGE, "request.temperatures", () -> new GenerationRequest("p", "q",
                new Length.Bars(1), 1, Quality.FULL, nine, null, null, 0, null, null, null));
    }

    @Test
    void aFullLabelsPageOfLongestNamesFitsTheHeaderBound() {
        String name = "\u00e9".repeat(Bounds.MAX_NAME_BYTES / 2);
        List<String> page = Collections.nCopies(Bounds.MAX_LIST_ENTRIES, name);
        Labels m = new Labels(Bounds.MAX_UINT32, name, LabelKind.ARTIST, Bounds.MAX_UINT32, 0, page);
        byte[] header = ProtocolCodec.encode(m).get(0);
        assertTrue(header.length <= Bounds.MAX_HEADER_BYTES, header.length + " bytes");
        assertEquals(m, ProtocolCodec.decode(List.of(header)));
    }

    @Test
    void labelPagesAreBoundedAndStayWithinTheirList() {
        assertCode(ErrorCode.TOO_LARGE, "limit", () -> new ListLabels(1, "p", LabelKind.GENRE, 0, 129));
        assertCode(ErrorCode.BAD_MESSAGE, "limit", () -> new ListLabels(1, "p", LabelKind.GENRE, 0, 0));
        assertCode(ErrorCode.BAD_MESSAGE, "kind", () -> new ListLabels(1, "p", null, 0, 1));
        assertCode(ErrorCode.BAD_MESSAGE, "offset", () -> new ListLabels(1, "p", LabelKind.GENRE, -1, 1));
        assertCode(ErrorCode.BAD_MESSAGE, "names", () -> new Labels(1, "p", LabelKind.GENRE, 2, 1, List.of("a", "b")));
        assertCode(ErrorCode.BAD_MESSAGE, "names", () -> new Labels(1, "p", LabelKind.GENRE, 0, 0, List.of("a")));
        assertCode(ErrorCode.TOO_LARGE, "names[]", () -> new Labels(1, "p", LabelKind.GENRE, 1, 0,
                List.of("n".repeat(Bounds.MAX_NAME_BYTES + 1))));
        new Labels(1, "p", LabelKind.GENRE, 2, 1, List.of("b")); // the last name of a two-name list
    }

    @Test
    void primeFramesAreBoundedBySixtySecondsAtTheirRate() {
        DawContext ctx = new DawContext(8000, 120, 4, 4, 0, 0);
        GenerationRequest req = new GenerationRequest("p", "q", new Length.Bars(1), 1, Quality.FULL, List.of(1.0),
                null, null, 0, null, null, null);
        new Submit(1, ctx, req, Audio.of(1, new float[8000 * 60]));
        assertCode(ErrorCode.TOO_LARGE, "context.frames", () -> new Submit(1, ctx, req, Audio.of(1, new float[8000 * 60 + 1])));
    }

    static void assertCode(ErrorCode code, String field, Executable e) {
        ProtocolException ex = assertThrows(ProtocolException.class, e);
        assertEquals(code, ex.code(), ex.getMessage());
        assertTrue(ex.text().startsWith(field + ":"), ex.text());
    }
}
