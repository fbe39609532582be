package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Takes on the timeline: the plugin (CLAP build in the test host, 400 bpm 4/4, 48 kHz, auto-fire at bar 3)
 * writes its stem and the stem's sidecar; native-shim/ardour/segue_import_takes.lua, run headless by
 * ardour7-lua on a saved Ardour session (48 kHz, 400 bpm, 4/4), adds one track per take; Ardour, loading the
 * session again, has each take's region starting on the take's start sample: from the sidecar (57600, bar 3,
 * where the plugin played the take in place) and, for a stem without a sidecar, from its bar in the session's
 * tempo map (a copy named for bar 5: 115200).
 */
class ArdourImportTakesTest {
    static final Path SCRIPT = SeguePart.ROOT.resolve("native-shim/ardour/segue_import_takes.lua");
    static final Path HOSTS = SeguePart.ROOT.resolve("tests/hosts/ardour");

    @TempDir
    Path dir;
    @AutoClose
    private PluginRig rig;

    @Test
    void eachImportedRegionStartsOnItsTakesStartSample() throws Exception {
        NativeShim.build();
        rig = PluginRig.start(dir, "daemon.log");
        Path stems = rig.stems;
        NativeShim.Run save = NativeShim.run(List.of(NativeShim.TEST_HOST.toString(), "--save", NativeShim.CLAP.toString(),
                dir.resolve("p.state").toString()), rig.env("HOME", dir.toString()), 180);
        assertEquals(0, save.exitCode(), save.output());
        Path stem = stems.resolve("track_bar003_400bpm_take1.wav");
        Path sidecar = stems.resolve("track_bar003_400bpm_take1.segue");
        assertTrue(Files.isRegularFile(stem) && Files.isRegularFile(sidecar), save.output());
        Map<String, String> side = sidecar(sidecar);
        // ASSERTED: the sidecar says where the plugin placed the take: bar 3 at 400 bpm 4/4, 48 kHz = 57600.
        assertEquals("57600", side.get("start_sample"), side.toString());
        assertEquals("3", side.get("bar"));
        assertEquals("4/4", side.get("time_sig"));
        int frames = WavFile.read(stem).frames();
        assertEquals(Integer.toString(frames), side.get("frames"));
        Files.copy(stem, stems.resolve("other_bar005_400bpm_take1.wav")); // no sidecar: placed by its bar

        Path session = dir.resolve("session");
        Map<String, String> env = Map.of("HOME", dir.resolve("home").toString(), "SEGUE_SESSION_DIR", session.toString(),
                "SEGUE_SESSION_NAME", "s", "SEGUE_RATE", "48000", "SEGUE_BPM", "400", "SEGUE_METER", "4/4",
                "SEGUE_STEMS_DIR", stems.toString());
        Files.createDirectories(dir.resolve("home"));
        lua(HOSTS.resolve("new-session.lua"), env, "session ");
        String imported = lua(SCRIPT, env, "imported: 2 takes");
        assertTrue(imported.contains("at 57600 (from its sidecar)"), imported);
        assertTrue(imported.contains("at 115200 (from its bar in the session's tempo map)"), imported);
        String listed = lua(HOSTS.resolve("list-regions.lua"), env, "regions: end");
        // ASSERTED: Ardour reads each region at its take's start sample, whole length.
        assertTrue(listed.contains("region track_bar003_400bpm_take1 57600 " + frames + " track_bar003_400bpm_take1.wav"), listed);
        assertTrue(listed.contains("region other_bar005_400bpm_take1 115200 " + frames + " other_bar005_400bpm_take1.wav"), listed);
    }

    /** Runs a Lua script in ardour7-lua; its last line of success must appear (ardour7-lua exits 0 after a failed assert). */
    private String lua(Path script, Map<String, String> env, String proof) throws Exception {
        NativeShim.Run run = NativeShim.run(List.of("ardour7-lua", script.toString()), env, 120);
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains(proof), script.getFileName() + " did not finish:\n" + run.output());
        return run.output();
    }

    private static Map<String, String> sidecar(Path file) throws Exception {
        Map<String, String> keys = new HashMap<>();
        try (Stream<String> lines = Files.lines(file)) {
            lines.forEach(l -> {
                int sp = l.indexOf(' ');
                if (sp > 0) {
                    keys.put(l.substring(0, sp), l.substring(sp + 1));
                }
            });
        }
        assertEquals("1", keys.get("segue-stem"), "not a Segue sidecar: " + keys);
        return keys;
    }
}
