package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A C client built against Debian's libzmq and the native shim's codec (msgpack-c) replays the protocol's golden vectors to the
 * running Java daemon: valid requests get the prescribed reply type, every invalid vector gets an error
 * with the code its index names, and the daemon keeps serving throughout.
 */
class CClientGoldenVectorsTest {
    @TempDir
    Path dir;
    @AutoClose
    private DaemonProcess daemon;

    @Test
    void goldenVectorsAgainstTheRunningDaemon() throws Exception {
        Path client = dir.resolve("golden_client");
        Process cc = new ProcessBuilder("gcc", "-std=c11", "-D_DEFAULT_SOURCE", "-O2", "-Wall", "-Wextra", "-Werror",
                "-Wno-format-truncation", "-o", client.toString(),
                "-I" + SeguePart.ROOT.resolve("native-shim/src/core"), SeguePart.ROOT.resolve("tests/c/golden_client.c").toString(),
                SeguePart.ROOT.resolve("native-shim/src/core/codec.c").toString(), "-lzmq", "-lmsgpackc", "-lm")
                .redirectErrorStream(true).redirectOutput(dir.resolve("cc.log").toFile()).start();
        assertTrue(cc.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, cc.exitValue(), "the C client does not build (./segue test installs libzmq3-dev and "
                + "libmsgpack-dev):\n" + Files.readString(dir.resolve("cc.log")));

        daemon = new DaemonProcess(dir);
        daemon.start("daemon.log");
        Process run = new ProcessBuilder(client.toString(), daemon.endpoint,
                SeguePart.ROOT.resolve("protocol/vectors").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("client.log").toFile()).start();
        assertTrue(run.waitFor(120, TimeUnit.SECONDS), "the C client did not finish");
        String out = Files.readString(dir.resolve("client.log"));
        assertEquals(0, run.exitValue(), out);
        assertTrue(out.matches("(?s).*\\n\\d+ passed, 0 failed\\n?$"), out);
        assertTrue(out.contains("PASS hello.frames -> capabilities"), out);
    }
}
