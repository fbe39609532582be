package dev.segue.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.Message;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the Java codec with Jazzer. The input is read as the golden vectors' container
 * (u32 LE length + bytes, repeated), so every vector is a seed (the build copies them in as this test's
 * inputs). Whatever the bytes, decoding either yields a message or a {@link ProtocolException} with a code,
 * never any other exception; a decoded message re-encodes canonically and decodes to the same bytes again.
 * `./segue test` runs it time-bounded in fuzzing mode (JAZZER_FUZZ=1); without that it replays the seeds.
 */
class CodecFuzzTest {
    /** Frames past this many, or a frame claiming more bytes than remain, end the split (a ragged tail is a frame). */
    private static final int MAX_FRAMES = 4;

    @FuzzTest(maxDuration = "60s")
    void decodeArbitraryFrames(byte[] input) {
        List<byte[]> frames = split(input);
        Message m;
        try {
            m = ProtocolCodec.decode(frames);
        } catch (ProtocolException e) {
            assertNotNull(e.code(), "every refusal carries an error code");
            return;
        }
        List<byte[]> canonical = ProtocolCodec.encode(m);
        List<byte[]> again = ProtocolCodec.encode(ProtocolCodec.decode(canonical));
        assertEquals(canonical.size(), again.size());
        for (int i = 0; i < canonical.size(); i++) {
            assertArrayEquals(canonical.get(i), again.get(i), "frame " + i + " re-encodes byte-identically");
        }
    }

    static List<byte[]> split(byte[] input) {
        List<byte[]> frames = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 4 && frames.size() < MAX_FRAMES) {
            long length = Integer.toUnsignedLong(b.getInt());
            int n = (int) Math.min(length, b.remaining());
            byte[] frame = new byte[n];
            b.get(frame);
            frames.add(frame);
        }
        return frames;
    }
}
