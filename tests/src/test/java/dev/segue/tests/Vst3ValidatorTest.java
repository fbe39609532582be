package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steinberg's own VST3 validator (SDK 3.7.14, prebuilt in the shared tools folder, see its README) on the
 * VST3 build, with its extensive tests (-e): every test passes; the plugin has a bypass parameter (the
 * validator no longer warns "No bypass parameter found" and its "Parameter Bypass persistence" test
 * passes); and DPF prints none of its "outparamsptr != nullptr" assertion lines (about 24,000 of them
 * before the VST3 entry point handed DPF an output-parameter list when the host passes none) nor its
 * "rindex < fVst3ParameterCount" lines (queues for unknown parameter ids, now left out before DPF reads them).
 */
class Vst3ValidatorTest {
    static final Path VALIDATOR = SeguePart.SHARED.resolve("tools/vst3-validator/validator");

    @TempDir
    Path dir;

    @Test
    void steinbergValidatorPassesTheExtensiveTests() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(VALIDATOR),
                "skipped: Steinberg's VST3 validator is not at " + VALIDATOR + " (set -Dsegue.shared to the shared folder)");
        NativeShim.build();
        Path bundle = dir.resolve("segue-shim.vst3");
        NativeShim.run(List.of("cp", "-r", NativeShim.BIN.resolve("segue-shim.vst3").toString(), bundle.toString()),
                Map.of(), 30);
        // Port 1 on loopback: nothing listens, the plugin stays offline (no daemon is needed for this test).
        NativeShim.Run run = NativeShim.run(List.of(VALIDATOR.toString(), "-e", bundle.toString()),
                Map.of("HOME", dir.toString(), "SEGUE_ENDPOINT", "tcp://127.0.0.1:1"), 300);
        String out = run.output();
        String tail = out.length() > 4000 ? out.substring(out.length() - 4000) : out;
        assertEquals(0, run.exitCode(), "the validator failed:\n" + tail);
        assertTrue(out.matches("(?s).*Result: \\d+ tests passed, 0 tests failed.*"), tail);
        assertTrue(out.contains("[title=\"Bypass\"]"), "no Bypass parameter listed:\n" + tail);
        assertFalse(out.contains("No bypass parameter found"), "the validator still warns about a missing bypass");
        assertTrue(out.contains("[Parameter Bypass persistence]"), "the bypass persistence test did not run");
        assertFalse(out.contains("outparamsptr != nullptr"), "DPF still asserts on a missing output-parameter list");
        assertFalse(out.contains("rindex < fVst3ParameterCount"), "DPF still reads queues for unknown parameter ids");
        assertFalse(out.contains("Bypass parameter was not correctly set"), tail);
    }
}
