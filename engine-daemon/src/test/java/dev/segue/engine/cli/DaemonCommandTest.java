package dev.segue.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `segue daemon` refuses bad configuration before it loads any model. */
class DaemonCommandTest {
    @TempDir
    Path dir;

    private int run(String... args) {
        return new CommandLine(new EngineCli()).execute(args);
    }

    @Test
    void badConfigFilesAndRemoteEndpointsAreRefused() throws Exception {
        Path unknownKey = dir.resolve("unknown.json");
        Files.writeString(unknownKey, "{\"endpoint\": \"tcp://127.0.0.1:5599\", \"bogus\": 1}");
        assertEquals(2, run("daemon", "--config", unknownKey.toString()));

        Path notJson = dir.resolve("broken.json");
        Files.writeString(notJson, "{ endpoint: ");
        assertEquals(2, run("daemon", "--config", notJson.toString()));

        Path remote = dir.resolve("remote.json");
        Files.writeString(remote, "{\"endpoint\": \"tcp://0.0.0.0:5599\"}");
        assertEquals(2, run("daemon", "--config", remote.toString()));
        assertEquals(2, run("daemon", "--endpoint", "tcp://192.0.2.7:5599"));
        assertEquals(2, run("daemon", "--queued-per-client", "0"));
        assertEquals(2, run("daemon", "--config", dir.resolve("missing.json").toString()));
        assertEquals(2, run("daemon", "--memory-budget", "0", "--endpoint", "tcp://127.0.0.1:0"));
        assertEquals(2, run("daemon", "--weights", "int4", "--endpoint", "tcp://127.0.0.1:0"));
        assertEquals(2, run("daemon", "--model", dir.toString(), "--endpoint", "tcp://127.0.0.1:0")); // no config.json
    }

    /** Without a GPU, --device cuda is refused before any model loads, naming what was found; auto is the CPU. */
    @Test
    void cudaWithoutAGpuIsAClearError() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() == 0,
                "this machine has a GPU");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            assertEquals(2, run("daemon", "--device", "cuda", "--endpoint", "tcp://127.0.0.1:0"));
            assertEquals(2, run("bench", "vqvae", "--device", "cuda:0"));
        } finally {
            System.setErr(saved);
        }
        String text = err.toString();
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("daemon: no CUDA device: --device cuda asked for CUDA "
                + "device 0, but the PyTorch engine"), text);
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("bench: no CUDA device: --device cuda:0"), text);
    }
}
