package dev.segue.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import dev.segue.protocol.vectors.Examples;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class RoundTripTest {

    @TestFactory
    Stream<DynamicTest> everyExampleRoundTrips() {
        return Examples.all().stream().map(e -> dynamicTest(e.name(), () -> {
            Message m = e.message();
            Message back = ProtocolCodec.decode(ProtocolCodec.encode(m));
            assertEquals(m, back);
            assertEquals(m.hashCode(), back.hashCode());
        }));
    }

    @Test
    void arbitraryFiniteAudioBitsSurvive() {
        Random rnd = new Random(7);
        float[] s = new float[4096];
        for (int i = 0; i < s.length; i++) {
            float f;
            do {
                f = Float.intBitsToFloat(rnd.nextInt());
            } while (!Float.isFinite(f));
            s[i] = f;
        }
        Submit m = submit(Audio.of(2, s));
        Submit back = (Submit) ProtocolCodec.decode(ProtocolCodec.encode(m));
        float[] got = back.prime().toArray();
        for (int i = 0; i < s.length; i++) {
            assertEquals(Float.floatToRawIntBits(s[i]), Float.floatToRawIntBits(got[i]), "sample " + i);
        }
    }

    @Test
    void audioIsImmutable() {
        float[] s = {0.25f, -0.25f};
        Audio a = Audio.of(2, s);
        s[0] = 1f;
        assertEquals(0.25f, a.sample(0, 0));
        float[] copy = a.toArray();
        copy[1] = 1f;
        assertEquals(-0.25f, a.sample(0, 1));
        assertNotSame(a.toArray(), a.toArray());
    }

    @Test
    void audioFrameIsLittleEndianFloat32() {
        List<byte[]> frames = ProtocolCodec.encode(submit(Audio.of(1, new float[] {1.0f, -2.0f})));
        // 1.0f = 0x3f800000, -2.0f = 0xc0000000, least significant byte first
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0}, frames.get(1));
    }

    @Test
    void decodeErrorsCarryTheRequestIdForTheReply() {
        List<byte[]> frames = ProtocolCodec.encode(submit(Audio.of(1, new float[] {0f, 0f})));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> ProtocolCodec.decode(List.of(frames.get(0), new byte[4])));
        assertEquals(77, e.req().orElseThrow());
        ErrorReply reply = ErrorReply.of(e);
        assertEquals(77, reply.req());
        assertEquals(ErrorCode.BAD_MESSAGE, reply.code());
        assertEquals(reply, ProtocolCodec.decode(ProtocolCodec.encode(reply)));
    }

    @Test
    void errorTextIsCutAtACharacterBoundary() {
        String text = "x".repeat(1023) + "\u00e9"; // 1025 bytes: the 2-byte char must go whole
        assertEquals(1023, Check.truncateUtf8(text, Bounds.MAX_TEXT_BYTES).length());
        ErrorReply r = ErrorReply.of(new ProtocolException(ErrorCode.INTERNAL, text));
        assertEquals(0, r.req());
    }

    static Submit submit(Audio prime) {
        return new Submit(77, new DawContext(48000, 120, 4, 4, 0, 0),
                new GenerationRequest("p", "q", new Length.Bars(1), 1, Quality.SKETCH, List.of(1.0), null, null, 0,
                        null, null, null), prime);
    }
}
