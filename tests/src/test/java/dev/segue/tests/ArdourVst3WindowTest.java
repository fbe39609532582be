package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The VST3 build's window opened by a real VST3 host: Ardour 7's GUI ({@code ardour}, Debian {@code ardour}) on a
 * private Xvfb display, with its "None (Dummy)" audio backend and the real daemon.
 *
 * <p>The session is built headless first ({@code segue-ardour-render}: a track with a real music clip and the
 * Segue VST3 plugin, in a private HOME). Ardour reopens a plugin's window at load when the session says it was
 * open: the test writes that into the session ({@code <Extra><UI><Window name="P-<route id>-<processor id>"
 * visible="1" custom-ui="1">}, the form Ardour itself saves). Ardour's GUI then shows two things a test must
 * answer by hand: "Engine I/O device has changed" (the session was saved by the headless tool), answered with
 * Return, and its Audio/MIDI setup, where the test picks "None (Dummy)" (shown once {@code hide-dummy-backend}
 * is off in Ardour's config) and presses Start. They are recognised in screenshots of the root window by where
 * they sit on the 1280x800 screen (no window manager: Ardour centres them).
 *
 * <p>Then the plugin's window writes its layout ({@code SEGUE_UI_LAYOUT}): the test checks it is the plugin's
 * own editor (not Ardour's generic controls), 900x520, connected to the daemon ("idle"), naming the daemon's
 * prior; a screenshot of it ({@code xwd -id}) has many colours and each region drawn; T (sent to the plugin's
 * window) selects the draft tier. The screenshot is kept in {@code tests/target/plugin-window-ardour-vst3.png}.
 * Last, a take is made and dragged onto Ardour's editor with the mouse (see {@code dragTakeOntoTheEditor}):
 * Ardour must take the drop and save a source and a new track made from take 1's bar-named stem; the screen
 * after the drop is kept in {@code plugin-window-ardour-vst3-drop.png}.
 *
 * <p>Skips when Ardour's GUI is not installed; a missing Xvfb, xwd or xdotool fails with the package to install.
 */
class ArdourVst3WindowTest {
    static final Path SCREENSHOT = SeguePart.ROOT.resolve("tests/target/plugin-window-ardour-vst3.png");

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
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void ardourOpensTheVst3Window() throws Exception {
        String ardour = Programs.which("ardour");
        Assumptions.assumeTrue(ardour != null, "Ardour's GUI is not installed (Debian: apt-get install ardour)");
        Programs.require("xwd", "x11-apps"); // before the minutes of set-up, not after
        Programs.require("xdotool", "xdotool");
        rig = PluginRig.start(dir, "daemon.log");

        // The session, headless: the plugin on a track of real music, in a private HOME.
        Path clip = ArdourHost.clip(dir, 48000, 10.0, 4.0);
        Path work = dir.resolve("work");
        ArdourHost.Render built = ArdourHost.render(work, dir.resolve("unused.wav"), "vst3", clip, 120,
                rig.env(), List.of(),
                List.of("--watch", "state", "--stop-file", dir.resolve("no-stop").toString(), "--watch-seconds", "2"));
        assertEquals(0, built.exitCode(), built.output());
        Path session = work.resolve("segue/segue.ardour");
        String xml = Files.readString(session);
        Matcher route = Pattern.compile("<Route [^>]*id=\"(\\d+)\" name=\"Clip\"").matcher(xml);
        Matcher processor = Pattern.compile("<Processor id=\"(\\d+)\" name=\"Segue\"[^>]*type=\"vst3\"").matcher(xml);
        assertTrue(route.find() && processor.find(), "no Segue VST3 plugin on the Clip track in " + session);
        String windowName = "P-" + route.group(1) + "-" + processor.group(1);
        assertTrue(!xml.contains("<Extra>"), "the headless session already has GUI state; this test writes its own");
        Files.writeString(session, xml.replace("</Session>", "  <Extra>\n    <UI>\n      <Window name=\"" + windowName
                + "\" visible=\"1\" x-off=\"60\" y-off=\"60\" x-size=\"900\" y-size=\"520\" custom-ui=\"1\"/>\n    </UI>\n"
                + "  </Extra>\n</Session>"));

        // Ardour's settings in the private HOME: not a first run, the Dummy backend offered.
        Path home = work.resolve("home");
        Path config = Files.createDirectories(home.resolve(".config/ardour7"));
        Files.writeString(config.resolve(".a7"), "");
        Files.writeString(config.resolve("config"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Ardour>\n  <Config>\n"
                + "    <Option name=\"try-autostart-engine\" value=\"1\"/>\n"
                + "    <Option name=\"hide-dummy-backend\" value=\"0\"/>\n  </Config>\n</Ardour>\n");

        xDisplay = XDisplay.start(dir);
        Path layout = dir.resolve("layout.txt");
        xDisplay.start(List.of(ardour, "-n", "-a", work.resolve("segue").toString()),
                rig.env("HOME", home.toString(), "SEGUE_UI_LAYOUT", layout.toString()), "ardour.log");

        // Answer Ardour's two start-up dialogs until the plugin's window writes its layout.
        Path root = dir.resolve("root.xwd");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        boolean engineChosen = false;
        Map<String, String> shown = Map.of();
        while (System.nanoTime() < deadline) {
            shown = UiLayout.parse(layout);
            if (shown.containsKey("window") && "idle".equals(shown.get("state"))) {
                break;
            }
            xDisplay.assertAlive("ardour.log");
            NativeShim.Run shot = xDisplay.xwd("-root", root);
            if (shot.exitCode() == 0) {
                BufferedImage screen = XwdImage.read(root);
                boolean mainWindow = !dark(screen, 640, 60);
                boolean engineDialog = !mainWindow && !dark(screen, 380, 225) && !dark(screen, 860, 561);
                boolean messageDialog = !mainWindow && !engineDialog && !dark(screen, 640, 400);
                if (engineDialog && !engineChosen) {
                    xDisplay.click(648, 259); // the Audio System list
                    Thread.sleep(1500);
                    xDisplay.click(620, 303); // "None (Dummy)": ALSA, JACK, None (Dummy), PulseAudio
                    Thread.sleep(3000);
                    xDisplay.click(862, 561); // Start
                    engineChosen = true;
                } else if (messageDialog) {
                    xDisplay.key("Return");
                }
            }
            Thread.sleep(2000);
        }
        if (!shown.containsKey("window")) {
            keepScreenshot(root);
            throw new AssertionError("Ardour did not open the plugin's window in 240 s (the last screen is in "
                    + SCREENSHOT.resolveSibling("ardour-vst3-window-failure.png") + "); layout: " + shown + "\nArdour:\n"
                    + XDisplay.tail(dir.resolve("ardour.log")));
        }
        assertEquals("900 520", shown.get("size"), "the plugin's own editor, at its size");
        assertEquals("default", shown.get("prior"), "the window names the daemon's prior");
        String window = shown.get("window");

        // The window answers the producer's keys inside Ardour.
        xDisplay.key(window, "t");
        shown = UiLayout.waitFor(layout, l -> "1".equals(l.get("tier")), 20, xDisplay, "ardour.log");

        Thread.sleep(1000);
        BufferedImage image = xDisplay.screenshot(window, dir.resolve("window.xwd"));
        Files.createDirectories(SCREENSHOT.getParent());
        ImageIO.write(image, "png", SCREENSHOT.toFile());
        assertEquals(900, image.getWidth(), "screenshot width");
        assertEquals(520, image.getHeight(), "screenshot height");
        int colours = UiLayout.colours(image, 0, 0, 900, 520);
        assertTrue(colours >= 32, "a window of few colours: " + colours);
        UiLayout.assertRegionsDrawn(image, shown);
        dragTakeOntoTheEditor(layout, session, window, root);
    }

    /**
     * A take dragged from the plugin's window onto Ardour's editor, as a producer places it: back to the sketch
     * tier, one bar of prime, one bar per take, two takes (the window's keys); Ardour's transport rolls (its
     * Play button) until the plugin captures, G generates; once both takes are final the transport stops, take
     * 1's card is pressed and the pointer moved in steps onto the editor's empty canvas below the tracks, and
     * released. Ardour (GTK's XDND) asks for text/uri-list, imports the stem and puts it on a new track; the
     * session Ardour then saves (Ctrl+S) must name a source made from take 1's stem.
     */
    private void dragTakeOntoTheEditor(Path layout, Path session, String window, Path root) throws Exception {
        for (String key : List.of("t", "t", "Tab", "Left", "Left", "Left", "Tab", "Left", "Left", "Left", "Left", "Left", "Left",
                "Left", "Tab", "Left", "Left")) {
            xDisplay.key(window, key);
        }
        Map<String, String> shown = UiLayout.waitFor(layout, l -> "0".equals(l.get("tier")) && "1".equals(l.get("capture_bars"))
                && "1".equals(l.get("generate_bars")) && "2".equals(l.get("takes")), 20, xDisplay, "ardour.log");
        xDisplay.click(157, 43); // Ardour's Play
        shown = UiLayout.waitFor(layout, l -> "capturing".equals(l.get("state")), 30, xDisplay, "ardour.log");
        Thread.sleep(4500); // past a bar line at 120 bpm, with a bar captured before it
        xDisplay.key(window, "g");
        shown = UiLayout.waitFor(layout, l -> "ready".equals(l.get("state")) && UiLayout.cardsFinal(l, 2), 180, xDisplay,
                "ardour.log");
        xDisplay.click(181, 43); // Ardour's Stop
        Thread.sleep(1000);

        long[] at = xDisplay.position(window);
        long[] c = UiLayout.numbers(shown, "card 1");
        long fromX = at[0] + c[0] + c[2] / 2, fromY = at[1] + c[1] + c[3] / 2;
        long toX = 1100, toY = 520; // the editor's canvas, right of the plugin's window, below the tracks
        List<String> moves = new ArrayList<>(List.of("mousemove", "" + fromX, "" + fromY, "sleep", "0.3", "mousedown", "1", "sleep",
                "0.3"));
        for (int i = 1; i <= 12; i++) {
            moves.addAll(List.of("mousemove", "" + (fromX + (toX - fromX) * i / 12), "" + (fromY + (toY - fromY) * i / 12), "sleep",
                    "0.1"));
        }
        moves.addAll(List.of("mousemove", "" + (toX + 5), "" + (toY + 3), "sleep", "0.8", "mouseup", "1"));
        xDisplay.xdotool(moves);
        shown = UiLayout.waitFor(layout, l -> !"active".equals(l.get("drag")) && !"none".equals(l.get("drag")), 20,
                xDisplay, "ardour.log");
        assertEquals("dropped", shown.get("drag"), "Ardour's editor took the drop: " + shown);
        assertEquals("1", shown.get("drag_take"), "the take dragged");
        String file = shown.get("drag_file");
        String stem = Path.of(file).getFileName().toString();
        assertTrue(stem.matches("track_bar\\d{3}_120bpm_take1\\.wav"), "take 1's bar-named stem: " + file);

        Thread.sleep(3000); // Ardour imports the file (a copy into the session) before it shows the region
        xDisplay.xwd("-root", root);
        ImageIO.write(XwdImage.read(root), "png", SCREENSHOT.resolveSibling("plugin-window-ardour-vst3-drop.png").toFile());
        String before = Files.readString(session);
        // The keyboard focus is on the plugin's window, which passes Ardour's own keys on to the editor; on a busy
        // machine that relay can miss a key, so Ctrl+S goes to the editor's window itself, focused first.
        List<String> save = List.of("search", "--onlyvisible", "--name", "segue - Ardour$", "windowfocus", "--sync",
                "key", "ctrl+s");
        xDisplay.xdotool(save);
        String name = stem.substring(0, stem.length() - ".wav".length());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        String saved = before;
        for (int polls = 1; System.nanoTime() < deadline && !saved.contains("<Source name=\"" + name); polls++) {
            Thread.sleep(500);
            saved = Files.readString(session);
            if (polls % 10 == 0) { // a key press Ardour missed (busy, or the import still running): save again
                xDisplay.xdotool(save);
            }
        }
        assertTrue(!before.contains(name), "the session named the stem before the drop");
        if (!saved.contains("<Source name=\"" + name)) {
            keepScreenshot(root);
            throw new AssertionError("Ardour's saved session has no source made from " + stem + " (the last screen is in "
                    + SCREENSHOT.resolveSibling("ardour-vst3-window-failure.png") + "; the session was saved "
                    + (saved.equals(before) ? "never" : "again") + " after the drop)\nArdour:\n"
                    + XDisplay.tail(dir.resolve("ardour.log")));
        }
        assertTrue(Pattern.compile("<Route [^>]*name=\"" + Pattern.quote(name) + "\"").matcher(saved).find(),
                "Ardour put the dropped stem on a new track named after it");
    }

    private static boolean dark(BufferedImage image, int x, int y) {
        int p = image.getRGB(x, y);
        return (p >> 16 & 0xff) < 16 && (p >> 8 & 0xff) < 16 && (p & 0xff) < 16;
    }

    private void keepScreenshot(Path root) {
        try {
            xDisplay.xwd("-root", root); // the screen as it is now
            Files.createDirectories(SCREENSHOT.getParent());
            ImageIO.write(XwdImage.read(root), "png", SCREENSHOT.resolveSibling("ardour-vst3-window-failure.png").toFile());
        } catch (Exception e) {
            // the failure message says enough without it
        }
    }
}
