package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.segue.engine.checkpoint.CheckpointException;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.HalfFloats;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.config.ModelConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A prior of about 110 M parameters (the fixture's top-prior architecture at width 2048, depth 8) written
 * to a safetensors file, loaded in a fresh JVM ({@link LoadRssProbe}) that then prefills and steps: the
 * process's peak resident set may grow by at most 1.15 x the bytes the weights are held in, plus 128 MB
 * (the JVM's own heap and code, one matrix widened to fp32 for prefill, the step session). Two cases: an
 * fp32 file converted to bf16 at load (a load that mapped the file, or kept the fp32 copy, would grow by
 * the file's 440 MB on top of the 220 MB held), and a file whose Conv1D weights are fp16, held as stored.
 * The probe runs with glibc's mmap threshold fixed, as {@code ./segue} runs the engine: without it glibc
 * keeps the blocks of each matrix widened for prefill after they are freed, and the resident set grows by
 * about 1 GB more here.
 */
class HalfWeightMemoryTest {
    private static final Path FIXTURE = Path.of(System.getProperty("segue.shared", "../../shared"))
            .resolve("conformance/jukebox-ref");
    private static final long ALLOWANCE = 128L << 20;

    @ParameterizedTest(name = "{0} file held as {1}")
    @CsvSource({"F32, BF16", "F16, AS_STORED"})
    void residentGrowthStaysNearTheHeldWeights(DType matrices, WeightFormat format, @TempDir Path dir)
            throws Exception {
        Path config = dir.resolve("config.json");
        writeConfig(config);
        Map<String, long[]> tensors = recordTensors(config);
        Path weights = dir.resolve("prior_level_2.safetensors");
        long held = 0;
        long parameters = 0;
        List<String> names = new ArrayList<>(tensors.keySet());
        Map<String, DType> types = new LinkedHashMap<>();
        for (String name : names) {
            long count = count(tensors.get(name));
            parameters += count;
            boolean matrix = isMatrix(name, tensors.get(name));
            types.put(name, name.endsWith(".w") && matrix ? matrices : DType.F32);
            DType heldAs = matrix ? format.held(types.get(name)) : DType.F32;
            held += count * heldAs.bytes();
        }
        assertTrue(parameters >= 100_000_000L, "only " + parameters + " parameters");
        writeSafetensors(weights, tensors, types);

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), LoadRssProbe.class.getName(),
                config.toString(), weights.toString(), format.word()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("MALLOC_MMAP_THRESHOLD_", "8388608"); // as ./segue runs the engine
        builder.environment().put("THP_MEM_ALLOC_ENABLE", "1");
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe did not finish");
        assertEquals(0, p.exitValue(), output);
        long before = field(output, "before");
        long peak = field(output, "peak");
        long limit = (long) (1.15 * held) + ALLOWANCE;
        assertTrue(peak - before <= limit, String.format("resident set grew by %d MB loading %d MB of weights held "
                + "(limit %d MB)%n%s", (peak - before) >> 20, held >> 20, limit >> 20, output));
        // And the weights are really resident: a load that held nothing would not prove anything.
        assertTrue(peak - before >= held / 2, "resident set grew by only " + ((peak - before) >> 20) + " MB");
    }

    private static long field(String output, String name) {
        for (String line : output.split("\n")) {
            if (line.startsWith(name + "=")) {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("probe printed no " + name + ":\n" + output);
    }

    private static boolean isMatrix(String name, long[] shape) {
        return shape.length == 2 && (name.endsWith(".w") || name.equals("prior.x_emb.weight")
                || name.equals("prior.x_out.weight"));
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static void writeConfig(Path target) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(FIXTURE.resolve("config.json").toFile());
        ObjectNode priors = (ObjectNode) root.get("priors");
        ObjectNode top = (ObjectNode) priors.get("2");
        top.put("prior_width", 2048).put("prior_depth", 8).put("n_ctx", 128).put("blocks", 16);
        priors.retain("2");
        json.writeValue(target.toFile(), root);
    }

    /** Every tensor the prior asks for, by building it over zeros (held in bf16, so small) and recording. */
    private static Map<String, long[]> recordTensors(Path config) {
        ModelConfig mc = ModelConfig.load(config);
        Map<String, long[]> seen = new LinkedHashMap<>();
        ByteBuffer zeros = ByteBuffer.allocateDirect(64 << 20);
        WeightStore recorder = new WeightStore() {
            @Override
            public Path path() {
                return Path.of("recorder");
            }

            @Override
            public Set<String> names() {
                return seen.keySet();
            }

            @Override
            public boolean contains(String name) {
                return !name.contains(".blocks.");
            }

            @Override
            public TensorEntry get(String name) {
                throw new CheckpointException(path(), name, "needs a shape");
            }

            @Override
            public TensorEntry get(String name, long[] shape) {
                seen.put(name, shape.clone());
                int bytes = Math.toIntExact(count(shape) * 4);
                return new TensorEntry(name, DType.F32, shape, zeros.duplicate().limit(bytes).slice());
            }

            @Override
            public void close() {}
        };
        try (NDManager m = Djl.cpuManager();
             Prior prior = new Prior(mc.priors().get(2), mc.vqvae(), recorder, m, WeightFormat.BF16)) {
            return seen;
        }
    }

    /** A safetensors file written a megabyte at a time: values of weight scale, layer-norm gains 1. */
    private static void writeSafetensors(Path target, Map<String, long[]> tensors, Map<String, DType> types)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (var e : tensors.entrySet()) {
            ObjectNode spec = header.putObject(e.getKey());
            spec.put("dtype", types.get(e.getKey()).name());
            var shape = spec.putArray("shape");
            for (long d : e.getValue()) {
                shape.add(d);
            }
            long len = count(e.getValue()) * types.get(e.getKey()).bytes();
            spec.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] head = json.writeValueAsBytes(header);
        int padded = (head.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(head);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long state = 0x9E3779B97F4A7C15L;
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.write(prefix.flip());
            for (var e : tensors.entrySet()) {
                DType type = types.get(e.getKey());
                boolean gain = e.getKey().matches(".*ln(_[01])?\\.weight");
                long n = count(e.getValue());
                for (long i = 0; i < n; i++) {
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                    float v = gain ? 1f : (float) ((state >>> 40) / (double) (1L << 24) - 0.5) * 0.07f;
                    if (type == DType.F16) {
                        chunk.putShort(HalfFloats.floatToF16(v));
                    } else {
                        chunk.putFloat(v);
                    }
                    if (chunk.remaining() < 4) {
                        out.write(chunk.flip());
                        chunk.clear();
                    }
                }
            }
            out.write(chunk.flip());
        }
    }
}
