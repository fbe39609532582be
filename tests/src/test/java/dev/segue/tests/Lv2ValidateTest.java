package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The LV2 bundle's description passes lv2_validate (lv2-dev, with sord_validate from sordi) with no error. */
class Lv2ValidateTest {
    @Test
    void lv2BundleValidates() throws Exception {
        NativeShim.build();
        List<String> cmd = new ArrayList<>(List.of("lv2_validate"));
        try (Stream<java.nio.file.Path> ttl = Files.list(NativeShim.LV2)) {
            ttl.filter(p -> p.toString().endsWith(".ttl")).forEach(p -> cmd.add(p.toString()));
        }
        assertEquals(3, cmd.size(), "manifest.ttl and segue-shim.ttl expected: " + cmd);
        NativeShim.Run run = NativeShim.run(cmd, Map.of(), 120);
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("Found 0 errors"), run.output());
        assertTrue(!run.output().contains("warning:"), run.output());
    }
}
