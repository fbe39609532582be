package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lyrics, artist and genre as plugin state, through the CLAP build in the test host and the daemon
 * process. A saved project (a DPF CLAP state chunk) carries the three texts; the plugin keeps them (it
 * saves them back byte for byte) and sends them with its submit. The daemon's default prior is
 * conditioned on none of them, so it refuses the request naming request.artist: the plugin says "error"
 * and logs the daemon's reason. The producer then clears them (a second state loaded into the running
 * instance), and the next generation goes through to a stem: the refusal cost one request, not the
 * session. A third state with values the protocol refuses (129-byte artist, non-UTF-8 genre) leaves the
 * earlier values in place.
 */
class ShimSongTextStateTest {
    private static final String LYRICS = "la la\nthe night is \u6708 \u00fcber alles";

    @TempDir
    Path dir;
    @AutoClose
    private PluginRig rig;

    @Test
    void textsAreSavedSentRefusedAndCleared() throws Exception {
        NativeShim.build();
        rig = PluginRig.start(dir, "daemon.log");
        Path withTexts = write("with-texts.state", Map.of("lyrics", utf8(LYRICS), "artist", utf8("Nobody Known At All"),
                "genre", utf8("jazz")));
        Path cleared = write("cleared.state", Map.of("lyrics", new byte[0], "artist", new byte[0], "genre", new byte[0]));
        Path saved = dir.resolve("saved.state");
        Map<String, String> env = rig.env();

        NativeShim.Run run = NativeShim.run(List.of(NativeShim.TEST_HOST.toString(), "--texts", NativeShim.CLAP.toString(),
                withTexts.toString(), cleared.toString(), saved.toString()), env, 300);
        String out = run.output();
        assertEquals(0, run.exitCode(), out);

        Map<String, byte[]> kept = read(saved);
        assertEquals(LYRICS, new String(kept.get("lyrics"), StandardCharsets.UTF_8), "saved lyrics");
        assertEquals("Nobody Known At All", new String(kept.get("artist"), StandardCharsets.UTF_8), "saved artist");
        assertEquals("jazz", new String(kept.get("genre"), StandardCharsets.UTF_8), "saved genre");

        assertTrue(out.contains("artist Nobody Known At All, genre jazz, with lyrics"), "the submit did not carry them:\n" + out);
        assertTrue(out.contains("texts: first state 6"), "the refusal is not an error state:\n" + out);
        assertTrue(out.contains("daemon refused: BAD_MESSAGE: request.artist"), "the daemon's reason is not logged:\n" + out);
        assertTrue(Files.readString(dir.resolve("daemon.log")).contains("request.artist"), "the daemon did not see the artist");
        assertTrue(out.contains("texts: second state 5"), "the session did not go on after the refusal:\n" + out);
        assertTrue(Files.exists(dir.resolve("stems/track_bar003_400bpm_take1.wav")), out);
    }

    @Test
    void valuesTheProtocolRefusesLeaveTheEarlierOnes() throws Exception {
        NativeShim.build();
        // No daemon: the values are checked as the state is loaded, before any request.
        Path good = write("good.state", Map.of("artist", utf8("Someone"), "genre", utf8("rock")));
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("artist", utf8("x".repeat(129)));
        bad.put("genre", new byte[] {'r', (byte) 0xc3, '(', 'k'});
        bad.put("lyrics", utf8("l".repeat(4097)));
        Path refused = write("refused.state", bad);
        Path saved = dir.resolve("saved.state");
        Map<String, String> env = Map.of("SEGUE_ENDPOINT", "tcp://127.0.0.1:1", "SEGUE_STEMS_DIR", dir.resolve("stems").toString());

        // --keep: the good state, then the refused one loaded on top, then what the plugin saves.
        NativeShim.Run first = NativeShim.run(List.of(NativeShim.TEST_HOST.toString(), "--keep", NativeShim.CLAP.toString(),
                good.toString(), refused.toString(), saved.toString()), env, 60);
        String out = first.output();
        assertEquals(0, first.exitCode(), out);
        Map<String, byte[]> kept = read(saved);
        assertEquals("Someone", new String(kept.get("artist"), StandardCharsets.UTF_8), out);
        assertEquals("rock", new String(kept.get("genre"), StandardCharsets.UTF_8), out);
        assertEquals(0, kept.get("lyrics").length, out);
        assertTrue(out.contains("artist: over 128 bytes"), out);
        assertTrue(out.contains("genre: not valid UTF-8"), out);
        assertTrue(out.contains("lyrics: over 4096 bytes"), out);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A DPF state chunk (the CLAP and VST3 state format of DPF 1.6): NUL-separated key/value pairs. */
    private Path write(String name, Map<String, byte[]> states) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(utf8("__dpf_state_begin__\0"));
        for (Map.Entry<String, byte[]> e : states.entrySet()) {
            b.write(utf8(e.getKey() + "\0"));
            b.write(e.getValue());
            b.write(0);
        }
        b.write(utf8("__dpf_state_end__\0"));
        b.write(0xfe);
        Path file = dir.resolve(name);
        Files.write(file, b.toByteArray());
        return file;
    }

    /** The state keys and values of a DPF state chunk the plugin saved. */
    private static Map<String, byte[]> read(Path file) throws Exception {
        byte[] all = Files.readAllBytes(file);
        Map<String, byte[]> out = new LinkedHashMap<>();
        int i = 0;
        String section = "";
        String key = null;
        while (i < all.length && all[i] != (byte) 0xfe) {
            int end = i;
            while (end < all.length && all[end] != 0) {
                end++;
            }
            byte[] field = java.util.Arrays.copyOfRange(all, i, end);
            String text = new String(field, StandardCharsets.UTF_8);
            i = end + 1;
            if (text.startsWith("__dpf_") && key == null) {
                section = text;
            } else if (key == null) {
                key = text;
            } else {
                if (section.equals("__dpf_state_begin__")) {
                    out.put(key, field);
                }
                key = null;
            }
        }
        return out;
    }
}
