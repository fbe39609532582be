package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ardour's VST3 scanner (a real host's out-of-process scanner) loads the VST3 build, instantiates it and
 * caches what it found: one plugin "Segue" by "Segue", 2 inputs, 2 outputs. The bundle must sit in
 * ~/.vst3 (Ardour ignores VST3_PATH), so the test gives the scanner a private HOME.
 */
class Vst3ScanTest {
    static final Path SCANNER = Path.of("/usr/lib/ardour7/ardour-vst3-scanner");

    @TempDir
    Path home;

    @Test
    void ardourScannerLoadsTheVst3Build() throws Exception {
        NativeShim.build();
        assertTrue(Files.isExecutable(SCANNER), "ardour is not installed (./segue test installs it)");
        Path bundle = home.resolve(".vst3/segue-shim.vst3");
        Files.createDirectories(bundle.getParent());
        NativeShim.run(List.of("cp", "-r", NativeShim.BIN.resolve("segue-shim.vst3").toString(), bundle.toString()),
                Map.of(), 30);
        NativeShim.Run run = NativeShim.run(List.of(SCANNER.toString(), "-f", bundle.toString()),
                Map.of("HOME", home.toString(), "LD_LIBRARY_PATH", "/usr/lib/ardour7", "SEGUE_ENDPOINT", "tcp://127.0.0.1:1"), 120);
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("Found Plugin: Segue"), run.output());
        String cache;
        try (Stream<Path> files = Files.walk(home.resolve(".cache"))) {
            Path v3i = files.filter(p -> p.toString().endsWith(".v3i")).findFirst().orElseThrow();
            cache = Files.readString(v3i);
        }
        assertTrue(cache.contains("name=\"Segue\" vendor=\"Segue\""), cache);
        assertTrue(cache.contains("n_inputs=\"2\" n_outputs=\"2\""), cache);
    }
}
