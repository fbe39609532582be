package dev.segue.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming torch-zip writer: what it writes reads back through {@link TorchCheckpointReader} unchanged. */
class TorchCheckpointWriterTest {
    @TempDir
    Path tmp;

    private record T(String name, DType dtype, long[] shape) {
    }

    @Test
    void namesDtypesShapesAndBytesRoundTrip() {
        List<T> tensors = List.of(new T("prior.x_emb.weight", DType.F32, new long[] {7, 5}),
                new T("prior.transformer._attn_mods.0.attn.c_attn.w", DType.F16, new long[] {5, 15}),
                new T("prior.transformer._attn_mods.0.attn.c_attn.b", DType.F32, new long[] {15}),
                new T("bf", DType.BF16, new long[] {3, 2, 4}), new T("step_count", DType.I64, new long[] {}),
                new T("mask", DType.BOOL, new long[] {9}), new T("empty", DType.F32, new long[] {0, 4}));
        Path file = tmp.resolve("prior_level_2.pth.tar");
        Random random = new Random(5);
        byte[][] data = new byte[tensors.size()][];
        try (TorchCheckpointWriter w = TorchCheckpointWriter.create(file)) {
            for (int i = 0; i < tensors.size(); i++) {
                T t = tensors.get(i);
                long n = 1;
                for (long d : t.shape) {
                    n *= d;
                }
                data[i] = new byte[(int) n * t.dtype.bytes()];
                random.nextBytes(data[i]);
                if (t.dtype == DType.BOOL) {
                    for (int j = 0; j < data[i].length; j++) {
                        data[i][j] &= 1;
                    }
                }
                w.add(t.name, t.dtype, t.shape, ByteBuffer.wrap(data[i]));
            }
            assertFalse(Files.exists(file), "the file appears only once it is complete");
        }
        assertTrue(Files.isRegularFile(file));
        try (TorchCheckpointReader r = TorchCheckpointReader.open(file)) {
            assertEquals(tensors.stream().map(T::name).toList(), List.copyOf(r.names()));
            for (int i = 0; i < tensors.size(); i++) {
                TensorEntry e = r.get(tensors.get(i).name);
                assertEquals(tensors.get(i).dtype, e.dtype(), e.name());
                assertArrayEquals(tensors.get(i).shape, e.shape(), e.name());
                ByteBuffer b = e.data();
                byte[] back = new byte[b.remaining()];
                b.get(back);
                assertArrayEquals(data[i], back, e.name());
            }
        }
    }

    @Test
    void tensorDataStartsOn64ByteBoundariesAsTorchWritesThem() throws Exception {
        Path file = tmp.resolve("aligned.pth.tar");
        try (TorchCheckpointWriter w = TorchCheckpointWriter.create(file)) {
            for (int i = 0; i < 5; i++) {
                w.add("t" + i, DType.F32, new long[] {i + 1}, ByteBuffer.allocate(4 * (i + 1)).order(ByteOrder.LITTLE_ENDIAN));
            }
        }
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            ZipStoredEntries zip = ZipStoredEntries.read(file, ch);
            for (ZipStoredEntries.Entry e : zip.entries().values()) {
                if (e.name().startsWith("archive/data/")) {
                    assertEquals(0, zip.dataOffset(e) % 64, e.name());
                }
            }
        }
    }

    @Test
    void aWrongByteCountOrARepeatedNameIsRefusedAndAnAbandonedFileLeavesNothing() {
        Path file = tmp.resolve("bad.pth.tar");
        TorchCheckpointWriter w = TorchCheckpointWriter.create(file);
        assertThrows(IllegalArgumentException.class, () -> w.add("a", DType.F32, new long[] {3}, ByteBuffer.allocate(8)));
        w.add("a", DType.F32, new long[] {2}, ByteBuffer.allocate(8));
        assertThrows(IllegalArgumentException.class, () -> w.add("a", DType.F32, new long[] {2}, ByteBuffer.allocate(8)));
        w.abandon();
        assertFalse(Files.exists(file));
        assertFalse(Files.exists(tmp.resolve("bad.pth.tar.partial")));
    }

    @Test
    void halfConversionRoundsToNearestEven() {
        for (float f : new float[] {0f, -0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f, 0.1f, 1e-3f, 3.14159f}) {
            float back = TensorEntryHalf.toFloat(WritingWeights.floatToHalf(f));
            assertEquals(f, back, Math.abs(f) / 1024 + 3e-8f, "fp16 of " + f);
        }
        assertEquals(Float.POSITIVE_INFINITY, TensorEntryHalf.toFloat(WritingWeights.floatToHalf(1e6f)));
        assertEquals(0x3c00, WritingWeights.floatToHalf(1f) & 0xffff);
        assertEquals(0x3c00, WritingWeights.floatToHalf(1.00048828125f) & 0xffff, "a tie rounds to even");
        assertEquals(0x3c01, WritingWeights.floatToHalf(1.0007324f) & 0xffff);
    }

    /** fp16 bits to float through {@link TensorEntry}'s own widening, the reader's path. */
    private static final class TensorEntryHalf {
        static float toFloat(short bits) {
            ByteBuffer b = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, bits);
            return new TensorEntry("h", DType.F16, new long[] {1}, b).toFloats()[0];
        }
    }
}
