package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Project reload with the CLAP build in the test host, against the daemon process: a take is generated
 * and the plugin's state saved (as a DAW saves a project); a new plugin instance loads that state and
 * plays the take from its stem; with the stems deleted, a new instance fetches the job from the daemon
 * again and rewrites the same stem, byte for byte.
 */
class ShimProjectReloadTest {
    @TempDir
    Path dir;
    private PluginRig rig;

    @AfterEach
    void stop() throws InterruptedException {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void reloadPlaysFromStemsAndFetchesMissingOnes() throws Exception {
        NativeShim.build();
        rig = PluginRig.start(dir, "daemon.log");
        Path stems = rig.stems;
        Path state = dir.resolve("project.state");
        Map<String, String> env = rig.env();
        String host = NativeShim.TEST_HOST.toString();
        String clap = NativeShim.CLAP.toString();

        NativeShim.Run save = NativeShim.run(List.of(host, "--save", clap, state.toString()), env, 180);
        assertEquals(0, save.exitCode(), save.output());
        Path stem = stems.resolve("track_bar003_400bpm_take1.wav");
        assertTrue(Files.exists(stem), save.output());
        byte[] original = Files.readAllBytes(stem);
        String saved = new String(Files.readAllBytes(state), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(saved.contains("stem 1 " + stem), saved);

        NativeShim.Run fromDisk = NativeShim.run(List.of(host, "--load", clap, state.toString()), env, 180);
        assertEquals(0, fromDisk.exitCode(), fromDisk.output());
        assertTrue(fromDisk.output().contains("load: state 5"), fromDisk.output());

        Files.delete(stem);
        NativeShim.Run fetched = NativeShim.run(List.of(host, "--load", clap, state.toString()), env, 180);
        assertEquals(0, fetched.exitCode(), fetched.output());
        assertTrue(Files.exists(stem), "the stem was not fetched again: " + fetched.output());
        assertArrayEquals(original, Files.readAllBytes(stem), "the fetched stem differs from the first");
    }
}
