package dev.segue.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `segue convert`: a published-format .pth.tar written out as safetensors holds exactly the fixture's tensors. */
class ConvertRoundTripTest {
    private static final Path FIXTURE = Path.of(System.getProperty("segue.shared", "../../shared"))
            .resolve("conformance/jukebox-ref");

    @Test
    void pthTarToSafetensorsKeepsNamesDtypesAndBytes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("prior_level_2.safetensors");
        try (TorchCheckpointReader reader = TorchCheckpointReader.open(FIXTURE.resolve("prior_level_2.pth.tar"))) {
            List<TensorEntry> tensors = new ArrayList<>();
            for (String name : reader.names()) {
                tensors.add(reader.get(name));
            }
            SafetensorsWriter.write(out, tensors, Map.of("format", "jukebox-state-dict"));
        }
        try (SafetensorsFile converted = SafetensorsFile.open(out);
             SafetensorsFile reference = SafetensorsFile.open(FIXTURE.resolve("prior_level_2.safetensors"))) {
            assertEquals(reference.names(), converted.names());
            for (String name : reference.names()) {
                TensorEntry a = reference.get(name);
                TensorEntry b = converted.get(name);
                assertEquals(a.dtype(), b.dtype(), name);
                assertArrayEquals(a.shape(), b.shape(), name);
                byte[] x = new byte[a.data().remaining()];
                byte[] y = new byte[b.data().remaining()];
                a.data().get(x);
                b.data().get(y);
                assertArrayEquals(x, y, name);
            }
        }
    }
}
