package dev.segue.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.segue.protocol.message.Message;
import dev.segue.protocol.vectors.VectorFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated and truncated vectors must only ever produce a message or a ProtocolException: never
 * another exception, a hang, or a huge allocation. When a mutant does decode, it must be a
 * well-formed message that round-trips. Fixed seed, so a failure reproduces.
 */
class FuzzTest {
    private static final int ITERATIONS = Integer.getInteger("segue.fuzzIterations", 2000);
    /** Bytes that msgpack gives meaning to: big length prefixes, the unused 0xc1, type edges. */
    private static final int[] INTERESTING = {0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
        0xc4, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcf, 0xd3, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff};

    @Test
    void mutantsOnlyEverThrowProtocolException() {
        List<List<byte[]>> seeds = new ArrayList<>();
        for (String sub : List.of("", "lenient")) {
            for (Path p : VectorFiles.list(sub)) {
                seeds.add(VectorFiles.frames(p));
            }
        }
        Random rnd = new Random(20250101L);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            List<byte[]> mutant = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
            try {
                Message m = ProtocolCodec.decode(mutant);
                assertEquals(m, ProtocolCodec.decode(ProtocolCodec.encode(m)), "iteration " + i);
                decoded++;
            } catch (ProtocolException e) {
                assertTrue(e.text() != null && !e.text().isEmpty());
                assertWireWordsOnly(e.text(), "iteration " + i);
                rejected++;
            } catch (Throwable t) {
                fail("iteration " + i + " threw " + t, t);
            }
        }
        assertTrue(rejected > ITERATIONS / 2, "most mutants are invalid: " + rejected + " rejected, " + decoded + " decoded");
    }

    /** Error texts speak the wire's language: no Java or msgpack-java class and constant names. */
    static void assertWireWordsOnly(String text, String where) {
        for (String leak : List.of("Exception", "NEVER_USED", "java.", "org.msgpack", "ValueType", "MessageFormat")) {
            assertTrue(!text.contains(leak), where + ": '" + leak + "' in the error text: " + text);
        }
    }

    private static List<byte[]> mutate(List<byte[]> frames, Random rnd) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] f : frames) {
            out.add(f.clone());
        }
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int which = rnd.nextInt(out.size());
            byte[] f = out.get(which);
            // Mostly the header: that is where the parsing is.
            if (which == 0 || rnd.nextInt(4) == 0) {
                out.set(which, mutateBytes(f, rnd));
            } else if (rnd.nextBoolean()) {
                out.remove(which);
            } else {
                out.add(f.clone());
            }
            if (out.isEmpty()) {
                break;
            }
        }
        return out;
    }

    private static byte[] mutateBytes(byte[] f, Random rnd) {
        if (f.length == 0) {
            return new byte[] {(byte) rnd.nextInt(256)};
        }
        int at = rnd.nextInt(f.length);
        switch (rnd.nextInt(6)) {
            case 0: // flip one bit
                f[at] ^= (byte) (1 << rnd.nextInt(8));
                return f;
            case 1: // a random byte
                f[at] = (byte) rnd.nextInt(256);
                return f;
            case 2: // a byte msgpack cares about
                f[at] = (byte) INTERESTING[rnd.nextInt(INTERESTING.length)];
                return f;
            case 3: // truncate
                return Arrays.copyOf(f, at);
            case 4: { // insert a random byte
                byte[] g = new byte[f.length + 1];
                System.arraycopy(f, 0, g, 0, at);
                g[at] = (byte) rnd.nextInt(256);
                System.arraycopy(f, at, g, at + 1, f.length - at);
                return g;
            }
            default: { // delete a byte
                byte[] g = new byte[f.length - 1];
                System.arraycopy(f, 0, g, 0, at);
                System.arraycopy(f, at + 1, g, at, f.length - at - 1);
                return g;
            }
        }
    }
}
