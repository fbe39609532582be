package dev.segue.protocol.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.MessageType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The committed vector files, read as any codec would read them. */
class GoldenVectorTest {

    @BeforeAll
    static void regenerateWhenAsked() throws IOException {
        if (Boolean.getBoolean("segue.regenerateVectors")) {
            GoldenVectorWriter.write(VectorFiles.dir());
        }
    }

    @Test
    void committedFilesMatchTheWriter() throws IOException {
        Map<String, byte[]> expected = GoldenVectorWriter.render();
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            Path p = VectorFiles.dir().resolve(e.getKey());
            assertTrue(Files.exists(p), e.getKey() + " missing; regenerate with -Dsegue.regenerateVectors=true");
            assertArrayEquals(e.getValue(), Files.readAllBytes(p), e.getKey() + " differs from what the writer produces");
        }
        for (String sub : List.of("", "invalid/", "lenient/")) {
            for (Path p : VectorFiles.list(sub)) {
                String rel = sub + p.getFileName();
                assertTrue(expected.containsKey(rel), rel + " is not produced by the writer (stale?)");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> validVectorsDecodeAndReencodeByteIdentically() {
        return VectorFiles.list("").stream().map(p -> dynamicTest(p.getFileName().toString(), () -> {
            List<byte[]> frames = VectorFiles.frames(p);
            Message m = ProtocolCodec.decode(frames);
            List<byte[]> again = ProtocolCodec.encode(m);
            assertEquals(frames.size(), again.size());
            for (int i = 0; i < frames.size(); i++) {
                assertArrayEquals(frames.get(i), again.get(i), "frame " + i);
            }
        }));
    }

    @Test
    void validVectorsCoverEveryMessageType() {
        Set<MessageType> seen = EnumSet.noneOf(MessageType.class);
        for (Path p : VectorFiles.list("")) {
            seen.add(ProtocolCodec.decode(VectorFiles.frames(p)).type());
        }
        assertEquals(EnumSet.allOf(MessageType.class), seen);
    }

    @TestFactory
    Stream<DynamicTest> invalidVectorsFailWithTheExpectedCode() {
        List<String[]> rows = VectorFiles.index("invalid");
        assertEquals(VectorFiles.list("invalid").size(), rows.size(), "every invalid vector is indexed");
        return rows.stream().map(r -> dynamicTest(r[0] + " " + r[1], () -> {
            List<byte[]> frames = VectorFiles.frames(VectorFiles.dir().resolve("invalid").resolve(r[0]));
            ProtocolException e = assertThrows(ProtocolException.class, () -> ProtocolCodec.decode(frames));
            assertEquals(ErrorCode.valueOf(r[1]), e.code(), e.getMessage());
            assertTrue(e.text().startsWith(r[2] + ":"), "names field " + r[2] + ": " + e.text());
        }));
    }

    @TestFactory
    Stream<DynamicTest> lenientVectorsDecodeToTheirCanonicalMessage() {
        List<String[]> rows = VectorFiles.index("lenient");
        assertEquals(VectorFiles.list("lenient").size(), rows.size(), "every lenient vector is indexed");
        return rows.stream().map(r -> dynamicTest(r[0], () -> {
            List<byte[]> canonical = VectorFiles.frames(VectorFiles.dir().resolve(r[1]));
            Message m = ProtocolCodec.decode(VectorFiles.frames(VectorFiles.dir().resolve("lenient").resolve(r[0])));
            assertEquals(ProtocolCodec.decode(canonical), m);
            List<byte[]> again = ProtocolCodec.encode(m);
            for (int i = 0; i < canonical.size(); i++) {
                assertArrayEquals(canonical.get(i), again.get(i), "frame " + i);
            }
        }));
    }
}
