package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What the plugin's window says it drew: the layout file its hook writes ({@code SEGUE_UI_LAYOUT}), read as keys,
 * and the structural checks a screenshot of the window must pass against it. Lines "region NAME x y w h" and
 * "card K ..." keep their numbers under "region NAME" and "card K"; every other line is "key value".
 */
final class UiLayout {
    /** The regions every editor window draws, whatever the host. */
    static final List<String> REGIONS = List.of("header", "state", "tier", "capture_bars", "generate_bars", "takes",
            "generate", "cancel", "progress", "take_grid", "ab", "extend", "status", "client_key", "keys");

    private UiLayout() {}

    /**
     * Polls the layout file until {@code done} holds, failing if a program on the display ends first or the time
     * runs out; either failure carries the tails of {@code logs} (names in the test's folder).
     */
    static Map<String, String> waitFor(Path layout, Predicate<Map<String, String>> done, int seconds, XDisplay display,
            String... logs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Map<String, String> last = Map.of();
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(layout)) {
                last = parse(layout);
                if (done.test(last)) {
                    return last;
                }
            }
            display.assertAlive(logs);
            Thread.sleep(200);
        }
        throw new AssertionError("the window did not get there in " + seconds + " s; it shows " + last + "\n"
                + display.logs(logs));
    }

    /** The layout file as keys; an absent file is an empty layout (the window has not drawn yet). */
    static Map<String, String> parse(Path layout) throws java.io.IOException {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(layout)) {
            return out;
        }
        for (String line : Files.readAllLines(layout, StandardCharsets.UTF_8)) {
            String[] words = line.split(" ", 3);
            if ((words[0].equals("region") || words[0].equals("card")) && words.length == 3) {
                out.put(words[0] + " " + words[1], words[2]);
            } else {
                int space = line.indexOf(' ');
                out.put(space < 0 ? line : line.substring(0, space), space < 0 ? "" : line.substring(space + 1));
            }
        }
        return out;
    }

    /** x, y, w, h of a region the layout names; fails if it names none. */
    static long[] region(Map<String, String> shown, String name) {
        return numbers(shown, "region " + name);
    }

    /** The numbers under a key ("region NAME", "card K"); fails if the layout has no such key. */
    static long[] numbers(Map<String, String> shown, String key) {
        String value = shown.get(key);
        assertTrue(value != null, "the layout has no " + key + ": " + shown);
        String[] parts = value.trim().split(" ");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Long.parseLong(parts[i]);
        }
        return out;
    }

    /** Each region in {@link #REGIONS} has at least 3 colours in the screenshot: something is drawn there. */
    static void assertRegionsDrawn(BufferedImage image, Map<String, String> shown) {
        for (String name : REGIONS) {
            long[] r = region(shown, name);
            int n = colours(image, (int) r[0], (int) r[1], (int) r[2], (int) r[3]);
            assertTrue(n >= 3, "region " + name + " " + java.util.Arrays.toString(r) + " is blank (" + n + " colours)");
        }
    }

    /** Whether the window shows takes 1..{@code takes} as final (each card's last number is 1). */
    static boolean cardsFinal(Map<String, String> shown, int takes) {
        for (int k = 1; k <= takes; k++) {
            String c = shown.get("card " + k);
            if (c == null || !c.endsWith(" 1")) {
                return false;
            }
        }
        return true;
    }

    /** How many distinct colours a rectangle of the image holds (clipped to the image). */
    static int colours(BufferedImage image, int x0, int y0, int w, int h) {
        Set<Integer> seen = new HashSet<>();
        for (int y = y0; y < y0 + h && y < image.getHeight(); y++) {
            for (int x = x0; x < x0 + w && x < image.getWidth(); x++) {
                seen.add(image.getRGB(x, y) & 0xffffff);
            }
        }
        return seen.size();
    }
}
