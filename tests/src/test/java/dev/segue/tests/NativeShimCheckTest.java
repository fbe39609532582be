package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `make -C native-shim check` against the daemon process: the core's unit tests, the C codec on every
 * golden vector, the LV2 state host (song texts restored, echoed, set by patch:Set, saved), the bundles'
 * dependency proof (readelf/ldd: only the C/C++ runtime), and the RT-safety
 * proof (a CLAP, an LV2 and a VST3 test host each count allocations, mutex calls and system-call wrappers inside process()
 * while the plugin's client thread talks to this daemon and the take plays in place: all must be zero).
 */
class NativeShimCheckTest {
    @TempDir
    Path dir;
    @AutoClose
    private DaemonProcess daemon;

    @Test
    void unitTestsVectorsDependenciesAndRealTimeSafety() throws Exception {
        NativeShim.build();
        daemon = new DaemonProcess(dir);
        daemon.start("daemon.log");
        NativeShim.Run run = NativeShim.run(List.of("make", "-C", NativeShim.DIR.toString(), "check"),
                Map.of("SEGUE_ENDPOINT", daemon.endpoint), 300);
        String out = run.output();
        assertEquals(0, run.exitCode(), out);
        assertTrue(out.matches("(?s).*codec vectors: \\d+ valid, \\d+ invalid, \\d+ lenient; \\d+ passed, 0 failed.*"), out);
        for (String unit : List.of("test_ring", "test_transport", "test_takes", "test_stem_writer", "test_core",
                "test_song_text", "test_submit_texts")) {
            assertTrue(out.matches("(?s).*" + unit + ": \\d+ checks, 0 failed.*"), out);
        }
        assertTrue(out.contains("deps: PASS") && !out.contains("deps: FAIL"), out);
        assertTrue(out.contains("lv2-state: PASS") && !out.contains("out of space"), out);
        assertTrue(out.contains("malloc 0 calloc 0 realloc 0 free 0 mutex_lock 0 trylock 0 unlock 0 syscall wrappers 0"), out);
        assertTrue(out.contains("rt: PASS"), out);
    }
}
