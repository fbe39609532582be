package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Headless Ardour 7 driven as a producer's machine would run it: the Segue plugin built by its own Makefile,
 * a clip of real music, and tests/hosts/ardour/segue-ardour-render (ardour7-lua + ardour7-export) as a process.
 */
final class ArdourHost {
    static final Path RENDER_SCRIPT = SeguePart.ROOT.resolve("tests/hosts/ardour/segue-ardour-render");
    /** Real music nobody here made: Debian's wesnoth-1.16-music (GPL-2+), 44.1 kHz stereo Ogg Vorbis. */
    static final Path MUSIC = Path.of("/usr/share/games/wesnoth/1.16/data/core/music/knolls.ogg");
    /** Two export attempts of at most 180 s each (the script's --export-timeout) and the session build. */
    static final long RENDER_TIMEOUT_S = 420;

    private static Path built;

    private ArdourHost() {}

    /** The plugin's build folder: -Dsegue.shim.bin / SEGUE_SHIM_BIN, else native-shim/ built with make (once). */
    static synchronized Path shimBuild() throws Exception {
        if (built == null) {
            built = buildShim();
        }
        return built;
    }

    private static Path buildShim() throws Exception {
        String given = System.getProperty("segue.shim.bin", System.getenv("SEGUE_SHIM_BIN"));
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        Path shim = SeguePart.ROOT.resolve("native-shim");
        assertTrue(Files.isDirectory(shim), "no native-shim/ in " + SeguePart.ROOT);
        Path log = Files.createTempFile("segue-shim-make", ".log");
        Process make = new ProcessBuilder("make", "-C", shim.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(make.waitFor(600, TimeUnit.SECONDS), "make -C native-shim did not finish in 10 min");
        assertEquals(0, make.exitValue(), "make -C native-shim failed:\n" + Files.readString(log));
        return shim.resolve("build/bin");
    }

    static Path bundle(String format) throws Exception {
        Path bundle = shimBuild().resolve(format.equals("lv2") ? "segue-shim.lv2" : "segue-shim.vst3");
        assertTrue(Files.exists(bundle), "the plugin build has no " + bundle);
        return bundle;
    }

    /** Decodes `seconds` of the music from `from` seconds in, at `rate`, 24-bit stereo, 3 dB down (no clipping). */
    static Path clip(Path dir, int rate, double from, double seconds) throws Exception {
        assertTrue(Files.isRegularFile(MUSIC), MUSIC + " is missing (apt-get install wesnoth-1.16-music)");
        Path clip = dir.resolve("clip.wav");
        Process sox = new ProcessBuilder("sox", MUSIC.toString(), "-b", "24", "-r", Integer.toString(rate), clip.toString(),
                "trim", Double.toString(from), Double.toString(seconds), "gain", "-3").redirectErrorStream(true)
                .redirectOutput(dir.resolve("sox.log").toFile()).start();
        assertTrue(sox.waitFor(60, TimeUnit.SECONDS), "sox did not finish");
        assertEquals(0, sox.exitValue(), "sox failed (apt-get install sox):\n" + Files.readString(dir.resolve("sox.log")));
        return clip;
    }

    /** One run of the render script: exit code, output, when "* Done." was printed and when the process ended. */
    record Render(int exitCode, String output, long doneAtNanos, long exitedAtNanos, Path file) {}

    /**
     * Runs segue-ardour-render with the daemon endpoint and stems folder in Ardour's environment. Output is
     * streamed so a test can act while the export runs; the time of "* Done." (audio written, session about to
     * unload) is kept.
     */
    static Render render(Path work, Path out, String format, Path clip, int bpm, Map<String, String> env,
            List<String> params) throws Exception {
        return render(work, out, format, clip, bpm, env, params, List.of());
    }

    /** As above, with more of the script's options ({@code --meter 3/4}, {@code --reuse}, {@code --watch ...}). */
    static Render render(Path work, Path out, String format, Path clip, int bpm, Map<String, String> env,
            List<String> params, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", RENDER_SCRIPT.toString(), "--format", format, "--bundle",
                bundle(format).toString(), "--clip", clip.toString(), "--bpm", Integer.toString(bpm), "--work",
                work.toString(), "--out", out.toString()));
        for (String p : params) {
            cmd.addAll(List.of("--param", p));
        }
        cmd.addAll(options);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        StringBuilder output = new StringBuilder();
        long done = -1;
        Path log = work.resolveSibling(work.getFileName() + ".log");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter w = new PrintWriter(Files.newBufferedWriter(log))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (done < 0 && line.startsWith("* Done.")) {
                    done = System.nanoTime();
                }
                output.append(line).append('\n');
                w.println(line);
                w.flush();
            }
        }
        assertTrue(p.waitFor(RENDER_TIMEOUT_S, TimeUnit.SECONDS), "the render did not finish:\n" + output);
        return new Render(p.exitValue(), output.toString(), done, System.nanoTime(), out);
    }

    /**
     * The session played in real time in one Ardour process (segue-ardour-render --watch), printing the plugin's
     * output parameter each time it changes; lines are queued for the test to wait on.
     */
    static final class Watch implements AutoCloseable {
        private final Process process;
        private final Path stopFile;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder seen = new StringBuilder();

        Watch(Path work, String format, Path clip, int bpm, Map<String, String> env, List<String> params, String output)
                throws Exception {
            stopFile = work.resolveSibling(work.getFileName() + ".stop");
            List<String> cmd = new ArrayList<>(List.of("bash", RENDER_SCRIPT.toString(), "--format", format, "--bundle",
                    bundle(format).toString(), "--clip", clip.toString(), "--bpm", Integer.toString(bpm), "--work",
                    work.toString(), "--out", work.resolveSibling("unused.wav").toString(), "--watch", output,
                    "--stop-file", stopFile.toString(), "--watch-seconds", "300"));
            for (String p : params) {
                cmd.addAll(List.of("--param", p));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            process = pb.start();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("watch: read failed: " + e);
                }
            }, "ardour-watch");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for a line "output NAME VALUE MS" whose VALUE passes; false on timeout or when the process ended. */
        boolean awaitValue(java.util.function.DoublePredicate wanted, long timeoutSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line == null) {
                    if (!process.isAlive() && lines.isEmpty()) {
                        return false;
                    }
                    continue;
                }
                seen.append(line).append('\n');
                String[] f = line.split(" ");
                if (f.length == 4 && f[0].equals("output") && wanted.test(Double.parseDouble(f[2]))) {
                    return true;
                }
            }
            return false;
        }

        String seen() {
            return seen.toString();
        }

        @Override
        public void close() throws Exception {
            Files.writeString(stopFile, "stop");
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Largest sample difference between the render and the clip over frames [from, to), all channels. */
    static double maxDifference(WavFile render, WavFile clip, int from, int to) {
        double max = 0;
        for (int c = 0; c < clip.channels(); c++) {
            for (int i = from; i < to; i++) {
                max = Math.max(max, Math.abs(render.samples()[c][i] - clip.samples()[c][i]));
            }
        }
        return max;
    }

    /**
     * Moves the session range's start of a session built by the render script to {@code sample} (Ardour keeps
     * it in superclock units, "a" + samples x superclocks per sample): an export then starts there, which the
     * plugin sees as a relocate.
     */
    static void setSessionStart(Path work, long sample) throws IOException {
        Path file = work.resolve("segue/segue.ardour");
        String xml = Files.readString(file);
        java.util.regex.Matcher sc = java.util.regex.Pattern.compile("superclocks-per-second=\"(\\d+)\"").matcher(xml);
        java.util.regex.Matcher sr = java.util.regex.Pattern.compile("<Session [^>]*sample-rate=\"(\\d+)\"").matcher(xml);
        if (!sc.find() || !sr.find()) {
            throw new IOException(file + ": no superclock or sample rate");
        }
        long perSample = Long.parseLong(sc.group(1)) / Long.parseLong(sr.group(1));
        java.util.regex.Matcher range = java.util.regex.Pattern.compile("<Location [^>]*IsSessionRange[^>]*>").matcher(xml);
        if (!range.find()) {
            throw new IOException(file + ": no session range");
        }
        String element = range.group();
        java.util.regex.Matcher start = java.util.regex.Pattern.compile(" start=\"([^\"]*)\"").matcher(element);
        if (!start.find()) {
            throw new IOException(file + ": the session range has no start");
        }
        String value = start.group(1).startsWith("a") ? "a" + sample * perSample : Long.toString(sample);
        String moved = element.substring(0, start.start(1)) + value + element.substring(start.end(1));
        Files.writeString(file, xml.substring(0, range.start()) + moved + xml.substring(range.end()));
    }

    static double rms(WavFile wav) {
        double sum = 0;
        long n = 0;
        for (float[] ch : wav.samples()) {
            for (float v : ch) {
                sum += v * v;
                n++;
            }
        }
        return Math.sqrt(sum / Math.max(1, n));
    }
}
