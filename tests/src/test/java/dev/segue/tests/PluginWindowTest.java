package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin's window in a real LV2 host that opens plugin UIs: {@code jalv.gtk3} (Debian {@code jalv}),
 * which embeds the plugin's X11 window in its GTK window through suil, on a private Xvfb display, with
 * JACK's dummy backend as the audio device and the real daemon process.
 *
 * <p>jalv sends no transport while JACK's is stopped, so the plugin plays its own timeline at
 * {@code fallback_bpm} and auto-fires at bar 3; the window fills in as the takes stream. Then the keys
 * are pressed as a producer would (xdotool, sent to the plugin's window): 2 selects take 2, A toggles
 * A/B twice, Tab moves the focus to capture bars, Right raises them to 3, Shift+Tab moves back, E
 * extends take 2 by two bars. The window's layout hook
 * ({@code SEGUE_UI_LAYOUT}) writes what it drew; the screenshot ({@code xwd} of the plugin's window) is
 * checked against it structurally: many colours, the background where nothing is drawn, each region
 * drawn, the state pill green for "ready", waveforms in every take card, and take 2's reaching further
 * right than take 1's once extended. Last, T twice and G ask for the full tier, which the daemon's default
 * prior cannot serve (it has the draft tier's upsampler, not the full tier's): the window shows the refusal in
 * words and in red, and the state pill in error's red.
 * The window also shows the plugin's CurveZMQ client key: the test checks it is the key the plugin made
 * for this user ({@code $XDG_CONFIG_HOME/segue/client.public}, a fresh folder), then presses C and reads
 * the X11 clipboard back ({@code native-shim/tests/x_clipboard.c}) as a paste would: the same 40 characters.
 * Take 2 is then dragged out of the window with the mouse (xdotool: press on its card, move in steps, release)
 * onto a window that takes file drops ({@code native-shim/tests/x_drop_target.c}, XDND 5, beside jalv's):
 * it must receive exactly one file:// URI, take 2's bar-named stem as the plugin wrote it; the keys pressed
 * afterwards (T, G) show the window still answers.
 * The screenshots and the layout are kept in {@code tests/target/plugin-window.png},
 * {@code plugin-window-refused.png} and {@code plugin-window.txt}.
 *
 * <p>Skips only when jalv is not installed ({@code ./segue test} installs it); a missing Xvfb, JACK,
 * xwd or xdotool fails with the package to install.
 */
class PluginWindowTest {
    static final Path SCREENSHOT = SeguePart.ROOT.resolve("tests/target/plugin-window.png");
    private static final int BACKGROUND = 0x16181d;
    private static final int READY_GREEN = 0x4cc98c;
    private static final int WAVE = 0x54d6c4;

    @TempDir
    Path dir;
    private PluginRig rig;
    private XDisplay xDisplay;

    @AfterEach
    void stop() throws InterruptedException {
        if (xDisplay != null) {
            xDisplay.close();
        }
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void windowShowsTakesAndAnswersTheKeysInJalv() throws Exception {
        String jalv = Programs.which("jalv.gtk3");
        Assumptions.assumeTrue(jalv != null, "jalv.gtk3 is not installed (Debian: apt-get install jalv; ./segue test "
                + "installs it): no LV2 host here opens plugin windows");
        String xwd = Programs.require("xwd", "x11-apps");
        String xdotool = Programs.require("xdotool", "xdotool");
        String jackd = Programs.require("jackd", "jackd2");
        String jackWait = Programs.require("jack_wait", "jackd2");
        NativeShim.build();
        rig = PluginRig.start(dir, "daemon.log");
        xDisplay = XDisplay.start(dir);
        String display = xDisplay.name();

        // JACK with the dummy backend, under a server name of its own so parallel runs never meet.
        String server = "segue-window-" + ProcessHandle.current().pid();
        Map<String, String> env = new HashMap<>();
        env.put("JACK_DEFAULT_SERVER", server);
        env.put("JACK_NO_AUDIO_RESERVATION", "1");
        env.put("JACK_NO_START_SERVER", "1");
        xDisplay.start(List.of(jackd, "-n", server, "--no-realtime", "-d", "dummy", "-r", "48000", "-p", "1024"), env, "jackd.log");
        NativeShim.Run waited = NativeShim.run(List.of(jackWait, "-s", server, "-w", "-t", "20"), env, 30);
        assertEquals(0, waited.exitCode(), "JACK's dummy server did not start: " + waited.output()
                + read(dir.resolve("jackd.log")));

        // Only this bundle on the LV2 path; the window writes its layout next to the screenshot.
        Path lv2 = Files.createDirectories(dir.resolve("lv2"));
        Files.createSymbolicLink(lv2.resolve("segue-shim.lv2"), NativeShim.LV2.toAbsolutePath());
        Path layout = dir.resolve("layout.txt");
        env.put("LV2_PATH", lv2.toString());
        env.put("SEGUE_UI_LAYOUT", layout.toString());
        env.putAll(rig.env());
        Path config = dir.resolve("config"); // the user's key pair goes here, not into the real ~/.config
        env.put("XDG_CONFIG_HOME", config.toString());
        xDisplay.start(List.of(jalv, "-c", "auto_fire_bar=3", "-c", "fallback_bpm=240", "-c", "capture_bars=2", "-c", "generate_bars=2",
                "-c", "takes=3", "-c", "monitor=1", "urn:segue:shim"), env, "jalv.log");

        Map<String, String> shown = waitFor(layout, l -> "ready".equals(l.get("state")) && UiLayout.cardsFinal(l, 3), 180);
        assertEquals("900 520", shown.get("size"), "the window's size");
        assertEquals("default", shown.get("prior"), "the window names the daemon's prior");
        assertEquals("2", shown.get("tiers"), "the default prior serves sketch and draft, so the window greys full");
        String window = shown.get("window");

        // The client key the window shows is this user's, made on first use: the file's public-key line.
        String shownKey = shown.getOrDefault("client_key", "");
        assertTrue(shownKey.matches("[0-9A-Za-z.\\-:+=^!/*?&<>()\\[\\]{}@%$#]{40}"), "the window shows no Z85 client key: " + shown);
        Path publicFile = config.resolve("segue/client.public");
        assertEquals(publicFile.toString(), shown.get("client_key_file"), "the file the window points the producer to");
        java.util.regex.Matcher fileKey = java.util.regex.Pattern.compile("public-key = \"([^\"]{40})\"")
                .matcher(Files.readString(publicFile));
        assertTrue(fileKey.find(), "no public-key line in " + publicFile);
        assertEquals(fileKey.group(1), shownKey, "the window's key is the one in client.public");
        // C copies it to the clipboard; a paste (an X11 CLIPBOARD request as UTF-8 text) gets it back.
        key(xdotool, window, display, "c");
        shown = waitFor(layout, l -> "1".equals(l.get("clipboard_copies")), 10);
        NativeShim.Run made = NativeShim.run(List.of("make", "-C", NativeShim.DIR.toString(), "build/tests/x_clipboard",
                "build/tests/x_drop_target"), Map.of(), 120);
        assertEquals(0, made.exitCode(), made.output());
        NativeShim.Run paste = NativeShim.run(List.of(NativeShim.DIR.resolve("build/tests/x_clipboard").toString()),
                Map.of("DISPLAY", display), 30);
        assertEquals(0, paste.exitCode(), "reading the clipboard: " + paste.output());
        assertEquals(shownKey, paste.output(), "the clipboard holds the client key");

        // The keys, sent to the plugin's window as a producer's key presses.
        key(xdotool, window, display, "2");
        shown = waitFor(layout, l -> "2".equals(l.get("take")), 10);
        key(xdotool, window, display, "a");
        shown = waitFor(layout, l -> "0".equals(l.get("monitor")), 10);
        key(xdotool, window, display, "a");
        shown = waitFor(layout, l -> "1".equals(l.get("monitor")), 10);
        assertEquals("tier", shown.get("focus"), "the focus starts on the tier");
        key(xdotool, window, display, "Tab");
        shown = waitFor(layout, l -> "capture_bars".equals(l.get("focus")), 10);
        key(xdotool, window, display, "Right");
        shown = waitFor(layout, l -> "3".equals(l.get("capture_bars")), 10);
        key(xdotool, window, display, "shift+Tab");
        shown = waitFor(layout, l -> "tier".equals(l.get("focus")), 10);
        key(xdotool, window, display, "Tab");
        shown = waitFor(layout, l -> "capture_bars".equals(l.get("focus")), 10);
        key(xdotool, window, display, "e");
        shown = waitFor(layout, l -> l.getOrDefault("status", "").contains("take 2 extended") && UiLayout.cardsFinal(l, 3), 120);
        long[] card1 = card(shown, 1), card2 = card(shown, 2);
        assertEquals(2 * card1[5], card2[5], "take 2 is twice as long after a two-bar extension: " + shown);
        assertTrue(Files.isRegularFile(dir.resolve("stems/track_bar005_240bpm_take2.wav")), "the extension's stem, at bar 5");

        // The screenshot of the plugin's window, compared with what the window says it drew. The layout is
        // written while a frame is drawn, just before OpenGL swaps it onto the window: give the swap (and
        // any later frame) a moment, and take the layout as it is then.
        Thread.sleep(1500);
        shown = waitFor(layout, l -> "ready".equals(l.get("state")) && UiLayout.cardsFinal(l, 3), 10);
        Path raw = dir.resolve("window.xwd");
        NativeShim.Run shot = NativeShim.run(List.of(xwd, "-id", window, "-out", raw.toString()), Map.of("DISPLAY", display), 30);
        assertEquals(0, shot.exitCode(), shot.output());
        BufferedImage image = XwdImage.read(raw);
        Files.createDirectories(SCREENSHOT.getParent());
        ImageIO.write(image, "png", SCREENSHOT.toFile());
        Files.copy(layout, SCREENSHOT.resolveSibling("plugin-window.txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        checkScreenshot(image, shown);

        // Take 2 dragged out of the window as a file, as a producer drags it onto a DAW's timeline: onto a
        // window that takes file drops (x_drop_target, XDND 5) beside jalv's.
        dragTakeOut(xdotool, window, display, layout, shown, 2, dir.resolve("stems/track_bar003_240bpm_take2.wav"));

        // A tier the prior cannot serve: T twice (full), then G. The daemon's default prior has no level-0
        // upsampler and refuses; the window says so in words, in red, and the state pill turns to error.
        key(xdotool, window, display, "t");
        key(xdotool, window, display, "t");
        shown = waitFor(layout, l -> "2".equals(l.get("tier")), 10);
        key(xdotool, window, display, "g");
        shown = waitFor(layout, l -> "error".equals(l.get("state")) && l.getOrDefault("status", "").contains("request.quality"), 60);
        assertTrue(shown.get("status").contains("daemon refused: BAD_MESSAGE"), shown.get("status"));
        assertTrue(shown.get("status").endsWith("it serves 'sketch', 'draft'"), shown.get("status"));
        Thread.sleep(1500);
        NativeShim.Run second = NativeShim.run(List.of(xwd, "-id", window, "-out", raw.toString()), Map.of("DISPLAY", display), 30);
        assertEquals(0, second.exitCode(), second.output());
        BufferedImage refused = XwdImage.read(raw);
        ImageIO.write(refused, "png", SCREENSHOT.resolveSibling("plugin-window-refused.png").toFile());
        assertTrue(share(refused, region(shown, "state"), 0xec5858) > 0.5, "the state pill is not error's red");
        long[] status = region(shown, "status");
        int red = 0;
        for (int y = (int) status[1]; y < status[1] + status[3]; y++) {
            for (int x = (int) status[0]; x < status[0] + status[2]; x++) {
                int p = refused.getRGB(x, y);
                red += (p >> 16 & 0xff) > 170 && (p >> 8 & 0xff) < 130 && (p & 0xff) < 130 ? 1 : 0;
            }
        }
        assertTrue(red > 50, "the refusal is not written in red in the status line (" + red + " red pixels)");
    }

    /**
     * Presses on take {@code take}'s card (where the layout says it is), moves in steps onto a drop target
     * mapped beside jalv's window, releases: the target must have been given exactly one file:// URI, the
     * plugin's stem of that take ({@code stem}, bar-named as the plugin wrote it), and the window must
     * report the drop as done. A wrong take, no drop or no answer fails.
     */
    private void dragTakeOut(String xdotool, String window, String display, Path layout, Map<String, String> shown, int take,
            Path stem) throws Exception {
        assertTrue(Files.isRegularFile(stem), "the plugin wrote no stem " + stem);
        Path out = dir.resolve("drop.out"), err = dir.resolve("drop.err");
        ProcessBuilder pb = new ProcessBuilder(NativeShim.DIR.resolve("build/tests/x_drop_target").toString(), "1000", "240",
                "240", "240", "60").redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("DISPLAY", display);
        pb.environment().remove("XAUTHORITY");
        Process target = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!read(err).contains("ready") && System.nanoTime() < deadline && target.isAlive()) {
                Thread.sleep(100);
            }
            assertTrue(read(err).contains("ready"), "the drop target did not map its window: " + read(err));

            // Where the plugin's window is on the screen, and take 2's card in it.
            long[] at = xDisplay.position(window);
            long[] c = card(shown, take);
            long fromX = at[0] + c[0] + c[2] / 2, fromY = at[1] + c[1] + c[3] / 2;
            long toX = 1120, toY = 360;
            List<String> moves = new ArrayList<>(List.of(xdotool, "mousemove", "" + fromX, "" + fromY, "sleep", "0.3", "mousedown",
                    "1", "sleep", "0.3"));
            for (int i = 1; i <= 12; i++) {
                moves.addAll(List.of("mousemove", "" + (fromX + (toX - fromX) * i / 12), "" + (fromY + (toY - fromY) * i / 12),
                        "sleep", "0.1"));
            }
            moves.addAll(List.of("mousemove", "" + (toX + 6), "" + (toY + 4), "sleep", "0.5", "mouseup", "1"));
            NativeShim.Run drag = NativeShim.run(moves, Map.of("DISPLAY", display), 60);
            assertEquals(0, drag.exitCode(), "xdotool: " + drag.output());

            assertTrue(target.waitFor(30, TimeUnit.SECONDS), "the drop target got no drop in 30 s: " + read(err));
            assertEquals(0, target.exitValue(), "the drop target: " + read(err) + read(out));
        } finally {
            target.destroyForcibly();
        }
        List<String> uris = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                uris.add(line.trim());
            }
        }
        assertEquals(1, uris.size(), "one file dropped: " + uris + "\n" + read(err));
        assertTrue(uris.get(0).startsWith("file:///"), "a file:// URI: " + uris.get(0));
        Path dropped = Path.of(java.net.URI.create(uris.get(0)));
        assertTrue(Files.isRegularFile(dropped), "the dropped URI names no file: " + dropped);
        assertEquals(stem.toRealPath(), dropped.toRealPath(), "the dropped file is take " + take + "'s stem");
        Map<String, String> after = waitFor(layout, l -> "dropped".equals(l.get("drag")), 10);
        assertEquals("1", after.get("drags"), "one drag started: " + after);
        assertEquals("" + take, after.get("drag_take"), "the take dragged");
        assertEquals(dropped.toRealPath().toString(), after.get("drag_file"), "the file the window says it dragged");
    }

    /** Not pixel by pixel: the structure the layout promises is in the picture. */
    private static void checkScreenshot(BufferedImage image, Map<String, String> shown) {
        assertEquals(900, image.getWidth(), "screenshot width");
        assertEquals(520, image.getHeight(), "screenshot height");
        int colours = UiLayout.colours(image, 0, 0, 900, 520);
        assertTrue(colours >= 64, "a window of few colours: " + colours);
        // Between the controls and the progress bar nothing is drawn: the background shows.
        assertEquals(BACKGROUND, image.getRGB(450, 140) & 0xffffff, "the background between the controls and the progress");
        UiLayout.assertRegionsDrawn(image, shown);
        long[] pill = region(shown, "state");
        assertTrue(share(image, pill, READY_GREEN) > 0.5, "the state pill is not ready's green");
        long[] waveRight = new long[4];
        for (int k = 1; k <= 3; k++) {
            long[] c = card(shown, k);
            int right = -1;
            for (int x = (int) c[0]; x < c[0] + c[2]; x++) {
                for (int y = (int) c[1] + 30; y < c[1] + c[3] - 10; y++) {
                    if ((image.getRGB(x, y) & 0xffffff) == WAVE) {
                        right = x;
                    }
                }
            }
            assertTrue(right >= 0, "take " + k + " shows no waveform");
            waveRight[k] = right - c[0];
        }
        long width = card(shown, 1)[2];
        assertTrue(waveRight[2] > waveRight[1] + width / 4, "take 2's waveform (to " + waveRight[2] + ") does not reach past"
                + " take 1's (to " + waveRight[1] + ") after its extension");
    }

    private static double share(BufferedImage image, long[] r, int rgb) {
        int hits = 0, all = 0;
        for (int y = (int) r[1]; y < r[1] + r[3]; y++) {
            for (int x = (int) r[0]; x < r[0] + r[2]; x++) {
                all++;
                hits += (image.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
            }
        }
        return all == 0 ? 0 : hits / (double) all;
    }

    private static long[] region(Map<String, String> shown, String name) {
        return UiLayout.region(shown, name);
    }

    /** x, y, w, h, covered frames, frames, final (1/0) of take k's card. */
    private static long[] card(Map<String, String> shown, int k) {
        return UiLayout.numbers(shown, "card " + k);
    }

    /** Polls the window's layout until the predicate holds; a host that ends first fails with its logs. */
    private Map<String, String> waitFor(Path layout, Predicate<Map<String, String>> done, int seconds) throws Exception {
        return UiLayout.waitFor(layout, done, seconds, xDisplay, "jalv.log", "jackd.log");
    }

    private void key(String xdotool, String window, String display, String key) throws Exception {
        NativeShim.Run run = NativeShim.run(List.of(xdotool, "key", "--window", window, key), Map.of("DISPLAY", display), 20);
        assertEquals(0, run.exitCode(), "xdotool key " + key + ": " + run.output());
    }

    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(" + file + ": " + e + ")";
        }
    }
}
