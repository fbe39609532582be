package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Segue plugin (LV2 and VST3 builds) inside headless Ardour 7 with the daemon running: a session holds a
 * slice of real music at 360 bpm, 48 kHz; the plugin fires by itself at bar 5 with the 4 bars before it as the
 * prime; ardour7-export renders the session. The take's stem must land in SEGUE_STEMS_DIR named for bar 5,
 * exactly 1 bar long at the session's tempo and rate.
 */
class ArdourRenderTest {
    /**
     * 360 bpm and 1 bar because the daemon's current sketch prior continues at most 0.739 s per request (it
     * refuses more with TOO_LARGE): one 4/4 bar at 360 bpm is 0.667 s.
     */
    static final int RATE = 48000, BPM = 360, FIRE_BAR = 5, CAPTURE_BARS = 4, GENERATE_BARS = 1;
    /** One 4/4 bar at 360 bpm, 48 kHz: 4 beats x (60/360) s x 48000 = 32000 frames. */
    static final int BAR_FRAMES = RATE * 60 * 4 / BPM;
    /** monitor=2 ("both"): the plugin would mix a take into its output, so pass-through is a real claim. */
    static final List<String> PARAMS = List.of("auto_fire_bar=" + FIRE_BAR, "capture_bars=" + CAPTURE_BARS,
            "generate_bars=" + GENERATE_BARS, "takes=1", "monitor=2");

    @TempDir
    Path dir;
    @AutoClose
    private PluginRig rig;

    @ParameterizedTest
    @ValueSource(strings = {"lv2", "vst3"})
    void autoFiredTakeLandsAsAStemOfTheAskedLength(String format) throws Exception {
        rig = PluginRig.start(dir, "daemon.log");
        Path stems = rig.stems;
        Path clip = ArdourHost.clip(dir, RATE, 30, 8 * BAR_FRAMES / (double) RATE); // bars 1-8
        ArdourHost.Render render = ArdourHost.render(dir.resolve("work"), dir.resolve("render.wav"), format, clip, BPM,
                rig.env(), PARAMS);

        // ASSERTED: the render completes and covers the session (the clip) frame for frame.
        assertEquals(0, render.exitCode(), render.output());
        WavFile rendered = WavFile.read(render.file());
        WavFile dry = WavFile.read(clip);
        assertEquals(dry.frames(), rendered.frames(), "render length");
        // ASSERTED: before the fire point no take can exist, so the plugin passes the clip through untouched.
        assertTrue(ArdourHost.maxDifference(rendered, dry, 0, (FIRE_BAR - 1) * BAR_FRAMES) < 1e-6,
                "the plugin must pass audio through before the fire point");

        // ASSERTED: one stem, named for bar 5 at 360 bpm, take 1; 24-bit at 48 kHz, exactly 1 bar.
        assertStem(stems, render);
    }

    static void assertStem(Path stems, ArdourHost.Render render) throws Exception {
        assertTrue(Files.isDirectory(stems), "no stems folder; the render said:\n" + render.output());
        String suffix = String.format("_bar%03d_%dbpm_take1.wav", FIRE_BAR, BPM); // <track>_bar<NNN>_<BPM>bpm_take<K>
        List<Path> files;
        try (Stream<Path> s = Files.list(stems)) {
            files = s.toList();
        }
        List<Path> takes = files.stream().filter(f -> f.getFileName().toString().endsWith(suffix)
                && f.getFileName().toString().length() > suffix.length()).toList();
        assertEquals(1, takes.size(), "one stem named <track>" + suffix + " expected; the folder has " + files
                + "\nrender:\n" + render.output());
        WavFile stem = WavFile.read(takes.get(0));
        assertEquals(RATE, stem.rate(), "stem rate");
        assertEquals(24, stem.bits(), "stem sample size");
        assertTrue(stem.channels() == 1 || stem.channels() == 2, "stem channels: " + stem.channels());
        assertEquals(GENERATE_BARS * BAR_FRAMES, stem.frames(), "stem length: " + GENERATE_BARS + " bars at " + BPM
                + " bpm, " + RATE + " Hz");
        assertTrue(ArdourHost.rms(stem) > 1e-4, "the stem is silent");
    }
}
