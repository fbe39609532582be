package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private X display for a window test, and the programs the test runs on it.
 *
 * <p>Xvfb picks a free display number itself ({@code -displayfd}) and writes it once it accepts connections, so
 * parallel runs never collide and no test waits on a guess. The screen is 1280x800x24: tests that find dialogs
 * by where they sit assume that size. Processes started here get {@code DISPLAY}, lose {@code XAUTHORITY}
 * (Xvfb runs without access control, and a user's cookie file would only be consulted in vain), write their
 * output to a log in the test's folder, and are stopped in reverse order by {@link #close()}, the X server last.
 * Screenshots are {@code xwd} dumps read by {@link XwdImage}; key presses and clicks go through {@code xdotool}.
 */
final class XDisplay implements AutoCloseable {
    private final Path dir;
    private final String name;
    private final List<Process> started = new ArrayList<>();

    private XDisplay(Path dir, Process xvfb, String name) {
        this.dir = dir;
        this.name = name;
        started.add(xvfb);
    }

    /** Starts Xvfb, its errors logged to {@code xvfb.log} in {@code dir}; returns once it accepts connections. */
    static XDisplay start(Path dir) throws IOException {
        String xvfbPath = Programs.require("Xvfb", "xvfb");
        Process xvfb = new ProcessBuilder(xvfbPath, "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
                .redirectError(dir.resolve("xvfb.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(xvfb.getInputStream(), StandardCharsets.US_ASCII));
        String number = out.readLine(); // written once the server accepts connections
        if (number == null || !number.trim().matches("\\d+")) {
            xvfb.destroyForcibly();
            throw new AssertionError("Xvfb did not start: " + tail(dir.resolve("xvfb.log")));
        }
        return new XDisplay(dir, xvfb, ":" + number.trim());
    }

    /** The display's name, {@code :N}, as {@code DISPLAY} takes it. */
    String name() {
        return name;
    }

    /** Starts a program on this display with {@code env} added, its output (stderr too) in {@code log}. */
    Process start(List<String> command, Map<String, String> env, String log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
        pb.environment().putAll(env);
        pb.environment().put("DISPLAY", name);
        pb.environment().remove("XAUTHORITY");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Fails, with the tails of {@code logs} (names in the test's folder), if a program started here has ended. */
    void assertAlive(String... logs) {
        for (Process p : started) {
            if (!p.isAlive()) {
                throw new AssertionError("a process ended early: " + p.info().command().orElse("?") + "\n" + logs(logs));
            }
        }
    }

    /** The last 4000 characters of each named log in the test's folder, each under its name. */
    String logs(String... logs) {
        StringBuilder out = new StringBuilder();
        for (String log : logs) {
            out.append(log).append(":\n").append(tail(dir.resolve(log))).append('\n');
        }
        return out.toString();
    }

    /** An {@code xwd} dump of a window ({@code -root} for the whole screen, else its id) into {@code raw}, as an image. */
    BufferedImage screenshot(String window, Path raw) throws Exception {
        NativeShim.Run shot = xwd(window, raw);
        assertEquals(0, shot.exitCode(), "xwd " + window + ": " + shot.output());
        return XwdImage.read(raw);
    }

    /** The same dump, for a test that polls the screen and takes a failed dump as "not yet". */
    NativeShim.Run xwd(String window, Path raw) throws Exception {
        List<String> where = window.equals("-root") ? List.of("-root") : List.of("-id", window);
        List<String> cmd = new ArrayList<>(List.of(Programs.require("xwd", "x11-apps")));
        cmd.addAll(where);
        cmd.addAll(List.of("-out", raw.toString()));
        return NativeShim.run(cmd, Map.of("DISPLAY", name), 30);
    }

    /** Presses {@code key} (xdotool's names: "a", "Tab", "shift+Tab") with the window as its target. */
    void key(String window, String key) throws Exception {
        xdotool(List.of("key", "--window", window, key));
    }

    /** Presses {@code key} wherever the focus is (a dialog with no window id to aim at). */
    void key(String key) throws Exception {
        xdotool(List.of("key", key));
    }

    /** Moves the pointer to (x, y) on the screen and clicks the left button. */
    void click(int x, int y) throws Exception {
        xdotool(List.of("mousemove", Integer.toString(x), Integer.toString(y), "click", "1"));
    }

    /** Where {@code window}'s top-left corner is on the screen (xdotool's getwindowgeometry): {x, y}. */
    long[] position(String window) throws Exception {
        NativeShim.Run geometry = NativeShim.run(List.of(Programs.require("xdotool", "xdotool"), "getwindowgeometry",
                "--shell", window), Map.of("DISPLAY", name()), 20);
        assertEquals(0, geometry.exitCode(), geometry.output());
        Map<String, String> g = new java.util.HashMap<>();
        for (String line : geometry.output().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                g.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return new long[] {Long.parseLong(g.get("X")), Long.parseLong(g.get("Y"))};
    }

    /** Runs {@code xdotool} with these arguments on this display; a non-zero exit fails the test. */
    void xdotool(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Programs.require("xdotool", "xdotool")));
        cmd.addAll(args);
        NativeShim.Run run = NativeShim.run(cmd, Map.of("DISPLAY", name), 20);
        assertEquals(0, run.exitCode(), "xdotool " + args + ": " + run.output());
    }

    /** Stops what was started here, newest first (a polite stop, then a forced one), the X server last. */
    @Override
    public void close() throws InterruptedException {
        for (int i = started.size() - 1; i >= 0; i--) {
            Process p = started.get(i);
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        started.clear();
    }

    /** The end of a log, bounded so a failure message stays readable; empty when there is none. */
    static String tail(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return "";
            }
            String s = Files.readString(file);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(" + file + ": " + e + ")";
        }
    }
}
