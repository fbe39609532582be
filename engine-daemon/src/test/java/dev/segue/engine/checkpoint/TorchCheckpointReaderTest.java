package dev.segue.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The torch checkpoint reader on the reference's legacy checkpoints (against their safetensors twins), on zip
 * checkpoints written here, and on damaged ones. About 500 lines because each format's corner (views and
 * prefixes, hyper-parameters, dict subclasses, truncation, garbage) is its own test.
 */
class TorchCheckpointReaderTest {

    private static final Path SHARED = Path.of(System.getProperty("segue.shared", "../../shared"));
    private static final Path JUKEBOX = SHARED.resolve("conformance/jukebox-ref");

    @TempDir
    Path tmp;

    // ---- the reference checkpoints against their safetensors twins ----

    @ParameterizedTest
    @ValueSource(strings = {"jukebox-ref/vqvae", "jukebox-ref/prior_level_2", "jukebox-lyrics-ref/prior_single_enc_dec"})
    void legacyCheckpointMatchesSafetensors(String stem) throws IOException {
        Path pth = SHARED.resolve("conformance/" + stem + ".pth.tar");
        Path st = SHARED.resolve("conformance/" + stem + ".safetensors");
        assumeTrue(Files.exists(pth) && Files.exists(st), "fixture " + pth + " not present");
        Map<String, Safetensor> expected = readSafetensors(st);
        try (TorchCheckpointReader reader = TorchCheckpointReader.open(pth)) {
            assertEquals(expected.keySet(), reader.names(), "tensor names");
            for (Safetensor want : expected.values()) {
                assertTrue(reader.contains(want.name));
                TensorEntry got = reader.get(want.name);
                assertEquals(want.dtype, got.dtype(), want.name);
                assertArrayEquals(want.shape, got.shape(), want.name);
                assertEquals(want.data, got.data(), want.name + " bytes");
            }
        }
    }

    @Test
    void topPriorKeepsItsHalfPrecisionConvWeights() {
        Path pth = JUKEBOX.resolve("prior_level_2.pth.tar");
        assumeTrue(Files.exists(pth));
        try (TorchCheckpointReader reader = TorchCheckpointReader.open(pth)) {
            long halves = reader.names().stream().filter(n -> reader.get(n).dtype() == DType.F16).count();
            assertTrue(halves > 0);
            reader.names().stream().filter(n -> n.endsWith(".w"))
                    .forEach(n -> assertEquals(DType.F16, reader.get(n).dtype(), n));
        }
    }

    @Test
    void hyperParametersComeBackAsPlainJava() {
        Path pth = JUKEBOX.resolve("vqvae.pth.tar");
        assumeTrue(Files.exists(pth));
        try (TorchCheckpointReader reader = TorchCheckpointReader.open(pth)) {
            Map<String, Object> hps = reader.hyperParameters();
            assertEquals(3, ((Number) hps.get("levels")).intValue());
            assertEquals(List.of(3, 2, 2), hps.get("downs_t"));
            assertEquals(0.9, hps.get("train_test_split"));
            assertNull(hps.get("min_duration"));
            assertTrue(hps.containsKey("min_duration"));
        }
    }

    @Test
    void truncatedLegacyCheckpointFailsNamingTheFile() throws IOException {
        Path source = JUKEBOX.resolve("vqvae.pth.tar");
        assumeTrue(Files.exists(source));
        byte[] all = Files.readAllBytes(source);
        // The fixture's pickles end at 188940 (main object at 176986, then the key list); storages follow.
        long[] cuts = {0, 1, 10, 16, 30, 1000, 100_000, 176_985, 176_986, 180_000, 188_940, 188_944, 188_948,
                all.length / 2, all.length - 1};
        for (long cut : cuts) {
            Path cutFile = tmp.resolve("vqvae-cut-" + cut + ".pth.tar");
            Files.write(cutFile, java.util.Arrays.copyOf(all, (int) cut));
            CheckpointException e = assertThrows(CheckpointException.class, () -> openAndReadAll(cutFile),
                    "cut at " + cut);
            assertTrue(e.getMessage().contains(cutFile.getFileName().toString()), e.getMessage());
            assertEquals(cutFile, e.file());
        }
    }

    @Test
    void garbageFailsWithCheckpointException() throws IOException {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[1 + random.nextInt(4096)];
            random.nextBytes(bytes);
            if (i % 4 == 1) {
                bytes[0] = (byte) 0x80; // PROTO, so the unpickler gets past the first opcode
                bytes[Math.min(1, bytes.length - 1)] = 2;
            }
            Path garbage = tmp.resolve("garbage-" + i + ".pth");
            Files.write(garbage, bytes);
            CheckpointException e = assertThrows(CheckpointException.class, () -> openAndReadAll(garbage));
            assertTrue(e.getMessage().contains(garbage.getFileName().toString()), e.getMessage());
        }
        Path empty = tmp.resolve("empty.pth");
        Files.write(empty, new byte[0]);
        assertThrows(CheckpointException.class, () -> TorchCheckpointReader.open(empty));
        Path missing = tmp.resolve("missing.pth");
        assertThrows(CheckpointException.class, () -> TorchCheckpointReader.open(missing));
    }

    @Test
    void legacyPickleOfAnotherNumberIsBadMagic() throws IOException {
        Path file = tmp.resolve("not-torch.pth");
        Files.write(file, new Pickle().proto().binint(12345).stop().bytes());
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpointReader.open(file));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void missingTensorIsNamed() {
        Path pth = JUKEBOX.resolve("vqvae.pth.tar");
        assumeTrue(Files.exists(pth));
        try (TorchCheckpointReader reader = TorchCheckpointReader.open(pth)) {
            assertFalse(reader.contains("no.such.weight"));
            CheckpointException e = assertThrows(CheckpointException.class, () -> reader.get("no.such.weight"));
            assertEquals("no.such.weight", e.tensor());
            assertTrue(e.getMessage().contains("no.such.weight") && e.getMessage().contains("vqvae.pth.tar"),
                    e.getMessage());
        }
    }

    // ---- zip (torch >= 1.6) archives built by hand ----

    @Test
    void zipCheckpointRoundTrip() throws IOException {
        float[] values = {0, 1, 2, 3, 4, 5};
        Pickle p = new Pickle().proto().emptyDict().mark().str("model").orderedDict().mark();
        p.str("a").tensor("FloatStorage", "0", 6, 0, new int[] {2, 3}, new int[] {3, 1});
        p.setitems().setitems().stop();
        Path file = writeZip("ckpt.pt", p.bytes(), Map.of("0", floats(values)), false);

        try (TorchCheckpointReader reader = TorchCheckpointReader.open(file)) {
            assertEquals(List.of("a"), new ArrayList<>(reader.names()));
            TensorEntry a = reader.get("a");
            assertEquals(DType.F32, a.dtype());
            assertArrayEquals(new long[] {2, 3}, a.shape());
            assertArrayEquals(values, a.toFloats());
            assertEquals(Map.of(), reader.hyperParameters());
        }
    }

    @Test
    void zipViewsPrefixesOrderAndHyperParameters() throws IOException {
        Pickle p = new Pickle().proto().emptyDict().mark();
        p.str("hps").emptyDict().mark()
                .str("levels").binint(3)
                .str("downs").mark().binint(3).binint(2).tuple()
                .str("nothing").none()
                .str("ns").global("argparse", "Namespace").emptyTuple().newobj()
                .emptyDict().mark().str("lr").binfloat(0.5).setitems().build()
                .setitems();
        p.str("model").orderedDict().mark();
        // Names deliberately out of alphabetical order, one with the DataParallel prefix.
        p.str("module.z.weight").tensor("FloatStorage", "0", 6, 0, new int[] {3, 2}, new int[] {1, 3}); // transpose
        p.str("b.bias").tensor("FloatStorage", "0", 6, 4, new int[] {2}, new int[] {1});                 // offset view
        p.str("m.col").tensor("FloatStorage", "0", 6, 1, new int[] {2}, new int[] {3});                  // strided
        p.str("c.half").tensor("HalfStorage", "1", 2, 0, new int[] {2}, new int[] {1});
        p.str("d.steps").tensor("LongStorage", "2", 1, 0, new int[] {}, new int[] {});
        p.str("e.empty").tensor("FloatStorage", "0", 6, 6, new int[] {0, 4}, new int[] {4, 1});
        p.setitems();
        p.str("step").binint(7).setitems().stop();

        ByteBuffer half = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3c00)
                .putShort((short) 0xc000);
        ByteBuffer step = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 123456789012L);
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", floats(new float[] {0, 1, 2, 3, 4, 5}));
        storages.put("1", half.array());
        storages.put("2", step.array());
        for (boolean deflate : new boolean[] {false, true}) {
            Path file = writeZip("views-" + deflate + ".pt", p.bytes(), storages, deflate);
            try (TorchCheckpointReader reader = TorchCheckpointReader.open(file)) {
                assertEquals(List.of("z.weight", "b.bias", "m.col", "c.half", "d.steps", "e.empty"),
                        new ArrayList<>(reader.names()));
                TensorEntry z = reader.get("z.weight");
                assertArrayEquals(new long[] {3, 2}, z.shape());
                assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, z.toFloats());
                assertArrayEquals(new float[] {4, 5}, reader.get("b.bias").toFloats());
                assertArrayEquals(new float[] {1, 4}, reader.get("m.col").toFloats());
                assertEquals(DType.F16, reader.get("c.half").dtype());
                assertArrayEquals(new float[] {1, -2}, reader.get("c.half").toFloats());
                TensorEntry steps = reader.get("d.steps");
                assertEquals(DType.I64, steps.dtype());
                assertArrayEquals(new long[0], steps.shape());
                assertArrayEquals(new long[] {123456789012L}, steps.toLongs());
                assertEquals(0, reader.get("e.empty").data().remaining());

                Map<String, Object> hps = reader.hyperParameters();
                assertEquals(3, hps.get("levels"));
                assertEquals(List.of(3, 2), hps.get("downs"));
                assertTrue(hps.containsKey("nothing") && hps.get("nothing") == null);
                TorchCheckpointReader.OpaqueObject ns =
                        assertInstanceOf(TorchCheckpointReader.OpaqueObject.class, hps.get("ns"));
                assertEquals("argparse.Namespace", ns.className());
                assertEquals(Map.of("lr", 0.5), ns.state());
            }
        }
    }

    @Test
    void dictSubclassHyperParametersAreReadAsADict() throws IOException {
        // Jukebox saves its Hyperparams, a dict subclass: NEWOBJ of an unknown class, then SETITEMS on it.
        Pickle p = new Pickle().proto().emptyDict().mark();
        p.str("hps").global("jukebox.hparams", "Hyperparams").emptyTuple().newobj()
                .mark().str("sr").binint(44100).str("name").str("5b").setitems();
        p.str("model").orderedDict().mark().str("a").tensor("FloatStorage", "0", 1, 0, new int[] {1}, new int[] {1});
        p.setitems().setitems().stop();
        Path file = writeZip("hparams.pt", p.bytes(), Map.of("0", floats(new float[] {2.5f})), false);
        try (TorchCheckpointReader reader = TorchCheckpointReader.open(file)) {
            assertEquals(Map.of("sr", 44100, "name", "5b"), reader.hyperParameters());
            assertArrayEquals(new float[] {2.5f}, reader.get("a").toFloats());
        }
    }

    @Test
    void plainStateDictAtTopLevel() throws IOException {
        Pickle p = new Pickle().proto().emptyDict().mark();
        p.str("w").tensor("IntStorage", "k", 2, 0, new int[] {2}, new int[] {1});
        p.str("v").tensor("ByteStorage", "j", 3, 0, new int[] {3}, new int[] {1});
        p.setitems().stop();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("k", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-7).putInt(9).array());
        storages.put("j", new byte[] {1, (byte) 200, 3});
        Path file = writeZip("plain.pt", p.bytes(), storages, false);
        try (TorchCheckpointReader reader = TorchCheckpointReader.open(file)) {
            assertEquals(List.of("w", "v"), new ArrayList<>(reader.names()));
            assertArrayEquals(new long[] {-7, 9}, reader.get("w").toLongs());
            assertArrayEquals(new long[] {1, 200, 3}, reader.get("v").toLongs());
        }
    }

    @Test
    void zipProblemsAreCheckpointExceptions() throws IOException {
        // A view reaching past its storage.
        Pickle past = stateDictWith(p -> p.tensor("FloatStorage", "0", 6, 1, new int[] {2, 3}, new int[] {3, 1}));
        assertFails(writeZip("past.pt", past.bytes(), Map.of("0", floats(new float[6])), false), "w", "past the end");

        // A storage entry shorter than its declared element count.
        Pickle shortOne = stateDictWith(p -> p.tensor("FloatStorage", "0", 6, 0, new int[] {6}, new int[] {1}));
        assertFails(writeZip("short.pt", shortOne.bytes(), Map.of("0", floats(new float[5])), false), null, "shorter");

        // A storage the archive does not hold.
        assertFails(writeZip("absent.pt", shortOne.bytes(), Map.of(), false), null, "data/0");

        // Storage types the reader cannot decode.
        Pickle complex = stateDictWith(p -> p.tensor("ComplexFloatStorage", "0", 1, 0, new int[] {1}, new int[] {1}));
        assertFails(writeZip("complex.pt", complex.bytes(), Map.of("0", new byte[8]), false), null, "ComplexFloatStorage");
        Pickle untyped = stateDictWith(p -> p.tensorOf("torch.storage", "UntypedStorage", "0", 4, new int[] {4}));
        assertFails(writeZip("untyped.pt", untyped.bytes(), Map.of("0", new byte[4]), false), null, "UntypedStorage");

        // No tensors anywhere.
        Pickle none = new Pickle().proto().emptyDict().mark().str("step").binint(1).setitems().stop();
        assertFails(writeZip("none.pt", none.bytes(), Map.of(), false), null, "no state dict");

        // A zip cut short loses its central directory.
        Path good = writeZip("good.pt", shortOne.bytes(), Map.of("0", floats(new float[6])), false);
        byte[] all = Files.readAllBytes(good);
        for (int cut : new int[] {10, all.length / 2, all.length - 5}) {
            Path cutFile = tmp.resolve("zip-cut-" + cut + ".pt");
            Files.write(cutFile, java.util.Arrays.copyOf(all, cut));
            assertFails(cutFile, null, "");
        }
    }

    // ---- helpers ----

    private void assertFails(Path file, String tensor, String fragment) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> openAndReadAll(file));
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        if (tensor != null) {
            assertEquals(tensor, e.tensor(), e.getMessage());
        }
    }

    private static void openAndReadAll(Path file) {
        try (TorchCheckpointReader reader = TorchCheckpointReader.open(file)) {
            for (String name : reader.names()) {
                reader.get(name).data();
            }
        }
    }

    private static Pickle stateDictWith(java.util.function.Consumer<Pickle> tensor) {
        Pickle p = new Pickle().proto().emptyDict().mark().str("model").orderedDict().mark().str("w");
        tensor.accept(p);
        return p.setitems().setitems().stop();
    }

    private static byte[] floats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** The layout torch's zip writer uses: archive/data.pkl, archive/data/KEY, archive/version. */
    private Path writeZip(String name, byte[] pickle, Map<String, byte[]> storages, boolean deflatePickle)
            throws IOException {
        Path file = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, "archive/data.pkl", pickle, deflatePickle);
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                put(zip, "archive/data/" + e.getKey(), e.getValue(), deflatePickle);
            }
            put(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII), false);
        }
        return file;
    }

    private static void put(ZipOutputStream zip, String name, byte[] data, boolean deflate) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        if (!deflate) {
            CRC32 crc = new CRC32();
            crc.update(data);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(data.length);
            entry.setCompressedSize(data.length);
            entry.setCrc(crc.getValue());
        } else {
            entry.setMethod(ZipEntry.DEFLATED);
        }
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** Pickle protocol 2 opcodes, assembled by hand the way torch's pickler emits them. */
    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int opcode) {
            out.write(opcode);
            return this;
        }

        Pickle proto() {
            return op(0x80).op(2);
        }

        Pickle emptyDict() {
            return op('}');
        }

        Pickle emptyTuple() {
            return op(')');
        }

        Pickle mark() {
            return op('(');
        }

        Pickle tuple() {
            return op('t');
        }

        Pickle reduce() {
            return op('R');
        }

        Pickle newobj() {
            return op(0x81);
        }

        Pickle build() {
            return op('b');
        }

        Pickle setitems() {
            return op('u');
        }

        Pickle none() {
            return op('N');
        }

        Pickle stop() {
            return op('.');
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        Pickle binint(int v) {
            op('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        Pickle binfloat(double v) {
            op('G');
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(v).array());
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle orderedDict() {
            return global("collections", "OrderedDict").emptyTuple().reduce();
        }

        Pickle ints(int[] values) {
            mark();
            for (int v : values) {
                binint(v);
            }
            return tuple();
        }

        /** _rebuild_tensor_v2(persistent('storage', torch.TYPE, key, 'cpu', numel), offset, size, stride, False, OrderedDict()). */
        Pickle tensor(String storageType, String key, int numel, int offset, int[] size, int[] stride) {
            global("torch._utils", "_rebuild_tensor_v2").mark();
            mark().str("storage").global("torch", storageType).str(key).str("cpu").binint(numel).tuple().op('Q');
            binint(offset).ints(size).ints(stride).op(0x89).orderedDict();
            return tuple().reduce();
        }

        Pickle tensorOf(String module, String storageClass, String key, int numel, int[] size) {
            global("torch._utils", "_rebuild_tensor_v2").mark();
            mark().str("storage").global(module, storageClass).str(key).str("cpu").binint(numel).tuple().op('Q');
            binint(0).ints(size).ints(new int[] {1}).op(0x89).orderedDict();
            return tuple().reduce();
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private record Safetensor(String name, DType dtype, long[] shape, ByteBuffer data) {
    }

    private static Map<String, Safetensor> readSafetensors(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(buf.getLong(0));
        JsonNode header = new ObjectMapper().readTree(new String(all, 8, headerLength, StandardCharsets.UTF_8));
        Map<String, Safetensor> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode v = e.getValue();
            long[] shape = new long[v.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = v.get("shape").get(i).asLong();
            }
            int begin = 8 + headerLength + v.get("data_offsets").get(0).asInt();
            int end = 8 + headerLength + v.get("data_offsets").get(1).asInt();
            ByteBuffer data = ByteBuffer.wrap(all, begin, end - begin).slice().order(ByteOrder.LITTLE_ENDIAN);
            out.put(e.getKey(), new Safetensor(e.getKey(), DType.fromSafetensors(v.get("dtype").asText()), shape, data));
        }
        return out;
    }
}
