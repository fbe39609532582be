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
    }
}
