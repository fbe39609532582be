package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * qtractor's plugin scanner (a real host's out-of-process scanner) loads the CLAP build, creates and
 * initialises the plugin, and reads its ports: 2 audio in, 2 out, 10 controls in, 2 out. It reads
 * "TYPE:path" lines on stdin and answers one line per plugin.
 */
class QtractorScanTest {
    static final Path SCANNER = Path.of("/usr/lib/x86_64-linux-gnu/qtractor/qtractor_plugin_scan");

    @Test
    void qtractorScannerLoadsTheClapBuild() throws Exception {
        NativeShim.build();
        assertTrue(Files.isExecutable(SCANNER), "qtractor is not installed (./segue test installs it)");
        ProcessBuilder pb = new ProcessBuilder(SCANNER.toString()).redirectErrorStream(true);
        pb.environment().put("SEGUE_ENDPOINT", "tcp://127.0.0.1:1"); // no daemon: a scan must not need one
        pb.environment().put("QT_QPA_PLATFORM", "offscreen");
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(("CLAP:" + NativeShim.CLAP + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the scanner may already have exited; its output says why
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the scanner hung");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("CLAP|Segue|2:2|0:0|14:4|"), out);
        assertTrue(out.contains("|" + NativeShim.CLAP + "|0|"), out);
    }
}
