package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * again and rewrites the same stem, byte for byte. After an extension, a reopened project plays the whole
 * placed take: the take and its extension, sample for sample as their stems, not the extension alone.
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

    /**
     * An 8-bar take at bar 3 (400 bpm, 4/4, 48 kHz), then take 1 extended by 2 bars (its stem at bar 11,
     * with its sidecar), then the project saved. A new instance loads that state and plays bars 3 to 12 with
     * monitor "take": every sample is the take's stem followed by the extension's stem (before, a reload
     * loaded the newest job alone: the extension at bar 11, and the input where the take belongs). With the
     * extension's stem deleted, the next reload fetches it from the daemon again (byte for byte) and still
     * plays the whole.
     */
    @Test
    void reloadAfterAnExtensionPlaysTheTakeWithItsExtension() throws Exception {
        NativeShim.build();
        rig = PluginRig.start(dir, "daemon.log");
        Path stems = rig.stems;
        Path state = dir.resolve("project.state");
        Map<String, String> env = rig.env();
        String host = NativeShim.TEST_HOST.toString();
        String clap = NativeShim.CLAP.toString();

        NativeShim.Run save = NativeShim.run(List.of(host, "--extend-save", clap, state.toString()), env, 240);
        assertEquals(0, save.exitCode(), save.output());
        Path take = stems.resolve("track_bar003_400bpm_take1.wav");
        Path extension = stems.resolve("track_bar011_400bpm_take1.wav");
        assertTrue(Files.exists(take) && Files.exists(extension), save.output());
        String sidecar = Files.readString(stems.resolve("track_bar011_400bpm_take1.segue"));
        assertTrue(sidecar.contains("start_sample 288000\n") && sidecar.contains("frames 57600\n"), sidecar);
        String saved = new String(Files.readAllBytes(state), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(saved.contains("extends 1\nstem 1 " + extension), saved);

        Path played = dir.resolve("played.raw");
        NativeShim.Run reopened = NativeShim.run(List.of(host, "--play", clap, state.toString(), "10", played.toString()), env, 180);
        assertEquals(0, reopened.exitCode(), reopened.output());
        assertTrue(reopened.output().contains("stems loaded from disk, 1 extension"), reopened.output());
        assertPlaysTakeThenExtension(played, take, extension);

        byte[] extensionBytes = Files.readAllBytes(extension);
        Files.delete(extension);
        NativeShim.Run fetched = NativeShim.run(List.of(host, "--play", clap, state.toString(), "10", played.toString()), env, 180);
        assertEquals(0, fetched.exitCode(), fetched.output());
        assertTrue(Files.exists(extension), "the extension's stem was not fetched again: " + fetched.output());
        assertArrayEquals(extensionBytes, Files.readAllBytes(extension), "the fetched extension differs from the first");
        assertPlaysTakeThenExtension(played, take, extension);
    }

    /** What the host played from bar 3 is the take's stem, then the extension's, on every sample. */
    private static void assertPlaysTakeThenExtension(Path played, Path take, Path extension) throws Exception {
        WavFile a = WavFile.read(take), b = WavFile.read(extension);
        assertEquals(230400, a.samples()[0].length, "an 8-bar take at 400 bpm, 48 kHz");
        assertEquals(57600, b.samples()[0].length, "a 2-bar extension");
        ByteBuffer out = ByteBuffer.wrap(Files.readAllBytes(played)).order(ByteOrder.LITTLE_ENDIAN);
        int frames = out.remaining() / 8;
        assertTrue(frames >= 230400 + 57600, "played " + frames + " frames");
        int wrong = 0, first = -1;
        for (int i = 0; i < 230400 + 57600; i++) {
            WavFile w = i < 230400 ? a : b;
            int at = i < 230400 ? i : i - 230400;
            for (int c = 0; c < 2; c++) {
                float expected = w.samples()[Math.min(c, w.channels() - 1)][at];
                if (Math.abs(out.getFloat((i * 2 + c) * 4) - expected) > 1e-5f) {
                    wrong++;
                    first = first < 0 ? i : first;
                }
            }
        }
        assertEquals(0, wrong, "samples that are not the take and its extension (first at frame " + first
                + " from bar 3; the extension starts at frame 230400)");
    }
}
