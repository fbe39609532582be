package dev.segue.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.testing.ReferenceFixture;
import dev.segue.engine.vqvae.VqVae;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged or mismatched checkpoints must fail with a {@link CheckpointException} that names the file and,
 * where one is involved, the tensor: never another exception type, never a crash of the JVM.
 */
class BadCheckpointTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.jukebox();
    private static final Path FIXTURES = fixture.dir();
    private static final Path VQVAE = FIXTURES.resolve("vqvae.safetensors");
    private static final Path PRIOR2 = FIXTURES.resolve("prior_level_2.safetensors");

    @TempDir
    Path tmp;

    // ---- helpers ----

    /** Runs {@code call}, which must throw a CheckpointException naming {@code file} and, if given, {@code tensor}. */
    private static CheckpointException assertBad(Path file, String tensor, Executable call) {
        CheckpointException e = assertThrows(CheckpointException.class, call);
        String message = e.getMessage();
        assertNotNull(message);
        assertTrue(message.contains(file.getFileName().toString()), "message lacks the file name: " + message);
        assertEquals(file, e.file());
        if (tensor != null) {
            assertEquals(tensor, e.tensor(), message);
            assertTrue(message.contains(tensor), "message lacks the tensor name: " + message);
        }
        return e;
    }

    private static void assertMentions(CheckpointException e, String... words) {
        for (String w : words) {
            assertTrue(e.getMessage().toLowerCase().contains(w.toLowerCase()),
                    "message should mention '" + w + "': " + e.getMessage());
        }
    }

    /** Opens with both entry points; each must fail the same way. */
    private static CheckpointException assertOpenFails(Path file, String tensor) {
        assertBad(file, tensor, () -> Checkpoints.open(file).close());
        return assertBad(file, tensor, () -> SafetensorsFile.open(file).close());
    }

    /** A safetensors file with a hand-written JSON header followed by {@code dataBytes} zero bytes. */
    private Path handWritten(String name, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json);
        Path file = tmp.resolve(name);
        Files.write(file, buf.array());
        return file;
    }

    private Path prefixOf(Path source, long bytes, String name) throws IOException {
        Path file = tmp.resolve(name);
        try (InputStream in = Files.newInputStream(source); OutputStream out = Files.newOutputStream(file)) {
            out.write(in.readNBytes(Math.toIntExact(bytes)));
        }
        return file;
    }

    private static long headerLength(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    /** Rewrites {@code source} into the temp dir, each tensor passed through {@code edit} (null drops it). */
    private Path rewrite(Path source, String name, Function<TensorEntry, TensorEntry> edit) throws IOException {
        Path file = tmp.resolve(name);
        try (SafetensorsFile in = SafetensorsFile.open(source)) {
            List<TensorEntry> out = new ArrayList<>();
            for (String n : in.names()) {
                TensorEntry e = edit.apply(in.get(n));
                if (e != null) {
                    out.add(e);
                }
            }
            SafetensorsWriter.write(file, out, in.metadata());
        }
        return file;
    }

    /** The same shape, as zeros of an integer type. */
    private static TensorEntry asInteger(TensorEntry e, DType type) {
        int bytes = Math.toIntExact(e.elementCount() * type.bytes());
        return new TensorEntry(e.name(), type, e.shape(), ByteBuffer.allocate(bytes));
    }

    private static PriorConfig prior2With(String key, int value) throws IOException {
        JsonNode root = new ObjectMapper().readTree(FIXTURES.resolve("config.json").toFile());
        ObjectNode p2 = (ObjectNode) root.get("priors").get("2");
        p2.put(key, value);
        return PriorConfig.fromJson(p2, "priors.2");
    }

    // ---- truncated files ----

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.25, 0.5, 0.999})
    void truncatedInTheDataNamesATensor(double fraction) throws IOException {
        long size = Files.size(VQVAE);
        long dataStart = 8 + headerLength(VQVAE);
        long cut = fraction == 0.999 ? size - 1 : dataStart + (long) ((size - dataStart) * fraction);
        Path file = prefixOf(VQVAE, cut, "vqvae-cut.safetensors");
        CheckpointException e = assertOpenFails(file, null);
        assertNotNull(e.tensor(), "a tensor past the end of the file should be named: " + e.getMessage());
        assertTrue(e.getMessage().contains(e.tensor()), e.getMessage());
        assertMentions(e, "truncated");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 7, 8, 9, 4000})
    void truncatedInTheHeader(int bytes) throws IOException {
        Path file = prefixOf(VQVAE, bytes, "vqvae-header-cut.safetensors");
        CheckpointException e = assertOpenFails(file, null);
        assertNull(e.tensor());
        assertMentions(e, "truncated");
    }

    @Test
    void truncatedJustBeforeTheEndOfTheHeader() throws IOException {
        long cut = 8 + headerLength(VQVAE) - 1;
        Path file = prefixOf(VQVAE, cut, "vqvae-header-end.safetensors");
        assertOpenFails(file, null);
    }

    // ---- malformed headers ----

    @ParameterizedTest
    @ValueSource(strings = {"F8_E4M3", "C64", "float32", "Q4_0", ""})
    void unknownDtype(String dtype) throws IOException {
        Path file = handWritten("dtype.safetensors",
                "{\"fine\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"odd\":{\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16);
        CheckpointException e = assertOpenFails(file, "odd");
        assertMentions(e, "dtype");
    }

    @Test
    void dtypeSizeDisagreesWithOffsets() throws IOException {
        // Four F32 elements need 16 bytes; the offsets give 8 (what F16 would need).
        Path file = handWritten("size.safetensors",
                "{\"fine\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,16]}}", 16);
        CheckpointException e = assertOpenFails(file, "w");
        assertMentions(e, "F32", "16");
        Path half = handWritten("half.safetensors",
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16);
        assertOpenFails(half, "h");
    }

    @Test
    void shapeDisagreesWithOffsets() throws IOException {
        // 3x3 F32 needs 36 bytes; the offsets give 32.
        Path file = handWritten("shape.safetensors",
                "{\"fine\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                        + "\"m\":{\"dtype\":\"F32\",\"shape\":[3,3],\"data_offsets\":[8,40]}}", 40);
        CheckpointException e = assertOpenFails(file, "m");
        assertMentions(e, "36");
    }

    @Test
    void offsetsPastTheEndOfTheFile() throws IOException {
        Path file = handWritten("past.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[0,64]}}", 16);
        assertOpenFails(file, "w");
    }

    @Test
    void malformedEntries() throws IOException {
        assertOpenFails(handWritten("neg.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "w");
        assertOpenFails(handWritten("backwards.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8), "w");
        assertOpenFails(handWritten("nooffsets.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "w");
        assertOpenFails(handWritten("noshape.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "w");
        assertOpenFails(handWritten("notobject.safetensors", "{\"w\":7}", 8), "w");
    }

    @Test
    void headerThatIsNotAJsonObject() throws IOException {
        assertOpenFails(handWritten("garbage.safetensors", "this is not json at all", 0), null);
        assertOpenFails(handWritten("array.safetensors", "[1, 2, 3]", 0), null);
        assertOpenFails(handWritten("cut.safetensors", "{\"w\":{\"dtype\":\"F3", 0), null);
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 62, Long.MAX_VALUE, -1L, Long.MIN_VALUE, 0L, (100L << 20) + 1})
    void absurdHeaderLength(long declared) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(declared).put("{}".getBytes(StandardCharsets.UTF_8));
        Path file = tmp.resolve("absurd.safetensors");
        Files.write(file, buf.array());
        CheckpointException e = assertOpenFails(file, null);
        assertMentions(e, "header length");
    }

    @Test
    void missingOrUnreadableFiles() throws IOException {
        assertBad(tmp.resolve("nowhere.safetensors"), null,
                () -> Checkpoints.open(tmp.resolve("nowhere.safetensors")));
        Path weird = Files.writeString(tmp.resolve("weights.bin"), "x");
        assertBad(weird, null, () -> Checkpoints.open(weird));
    }

    /** Element count past 2^63: Math.multiplyExact in SafetensorsFile.slot throws ArithmeticException. */
    @Test
    void elementCountOverflow() throws IOException {
        assertOpenFails(handWritten("huge.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8), "w");
    }

    /** 2^62 F32 elements are 2^64 bytes, which wraps to 0 in the unchecked {@code count * dtype.bytes()}. */
    @Test
    void byteSizeOverflow() throws IOException {
        assertOpenFails(handWritten("wrap.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}", 0), "w");
    }

    // ---- models built from stores that do not fit ----

    @Test
    void vqvaeMissingATensorNamesIt() throws IOException {
        String missing = "bottleneck.level_blocks.1.k";
        Path file = rewrite(VQVAE, "vqvae-missing.safetensors", e -> e.name().equals(missing) ? null : e);
        try (WeightStore store = Checkpoints.open(file)) {
            CheckpointException e = assertBad(file, missing,
                    () -> new VqVae(fixture.config().vqvae(), store, fixture.root()).close());
            assertMentions(e, "missing");
        }
    }

    @Test
    void intTensorWhereAFloatTensorBelongs() throws IOException {
        String name = "bottleneck.level_blocks.0.k";
        Path file = rewrite(VQVAE, "vqvae-int.safetensors", e -> e.name().equals(name) ? asInteger(e, DType.I64) : e);
        try (WeightStore store = Checkpoints.open(file)) {
            CheckpointException e = assertBad(file, name,
                    () -> new VqVae(fixture.config().vqvae(), store, fixture.root()).close());
            assertMentions(e, "expected a float tensor", "I64");
        }
    }

    @Test
    void int16WhereAHalfPrecisionWeightBelongs() throws IOException {
        // Same byte size as the F16 weight it replaces, so only the dtype check can catch it.
        String name = "prior.transformer._attn_mods.0.attn.c_attn.w";
        Path file = rewrite(PRIOR2, "prior-int.safetensors", e -> e.name().equals(name) ? asInteger(e, DType.I16) : e);
        PriorConfig pc = fixture.config().priors().get(2);
        try (WeightStore store = Checkpoints.open(file)) {
            CheckpointException e = assertBad(file, name,
                    () -> new Prior(pc, fixture.config().vqvae(), store, fixture.root()).close());
            assertMentions(e, "expected a float tensor", "I16");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"prior_level_2.safetensors", "prior_level_2.pth.tar"})
    void priorWidthThatDoesNotMatchTheWeights(String form) throws IOException {
        Path file = FIXTURES.resolve(form);
        PriorConfig pc = prior2With("prior_width", 64);
        try (WeightStore store = Checkpoints.open(file)) {
            CheckpointException e = assertBad(file, "prior.x_emb.weight",
                    () -> new Prior(pc, fixture.config().vqvae(), store, fixture.root()).close());
            assertMentions(e, "shape", "[2048, 128]", "[2048, 64]");
        }
    }

    @Test
    void contextLengthThatDoesNotMatchTheWeights() throws IOException {
        PriorConfig pc = prior2With("n_ctx", 128);
        try (WeightStore store = Checkpoints.open(PRIOR2)) {
            CheckpointException e = assertBad(PRIOR2, "prior.pos_emb.pos_emb",
                    () -> new Prior(pc, fixture.config().vqvae(), store, fixture.root()).close());
            assertMentions(e, "shape", "[256, 128]", "[128, 128]");
        }
    }

    @Test
    void attentionWidthThatDoesNotMatchTheWeights() throws IOException {
        JsonNode root = new ObjectMapper().readTree(FIXTURES.resolve("config.json").toFile());
        ObjectNode p2 = (ObjectNode) root.get("priors").get("2");
        p2.put("m_attn", 0.5);
        PriorConfig pc = PriorConfig.fromJson(p2, "priors.2");
        try (WeightStore store = Checkpoints.open(PRIOR2)) {
            CheckpointException e = assertBad(PRIOR2, "prior.transformer._attn_mods.0.attn.c_attn.w",
                    () -> new Prior(pc, fixture.config().vqvae(), store, fixture.root()).close());
            assertMentions(e, "shape");
        }
    }

    @Test
    void theUntouchedFixturesStillLoad() {
        // The rewrites above are only meaningful if the unmodified files pass the same path.
        try (WeightStore v = Checkpoints.open(VQVAE); WeightStore p = Checkpoints.open(PRIOR2)) {
            new VqVae(fixture.config().vqvae(), v, fixture.root()).close();
            new Prior(fixture.config().priors().get(2), fixture.config().vqvae(), p, fixture.root()).close();
        } catch (RuntimeException e) {
            fail("fixtures should load: " + e);
        }
    }
}
