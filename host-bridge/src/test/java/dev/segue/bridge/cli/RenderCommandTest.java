package dev.segue.bridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavReader;
import dev.segue.protocol.wav.WavWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `segue render` arguments, errors and the bounded wait after the file, on zam-plugins' ZamDelay. */
@Timeout(30)
class RenderCommandTest {
    static final String DELAY = "urn:zamaudio:ZamDelay";

    @TempDir
    Path dir;
    Path track;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/usr/lib/lv2/ZamDelay.lv2")),
                "zam-plugins are not installed (Debian: apt-get install zam-plugins); ./segue test installs them");
        track = dir.resolve("track.wav");
        float[] s = new float[48000];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.5 * Math.sin(i * 0.05));
        }
        WavWriter.writeFloat32(track, new PcmAudio(48000, 1, s));
    }

    int run(String... args) {
        return BridgeCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void rendersAndReportsOutputPorts() throws Exception {
        Path o = dir.resolve("o.wav");
        assertEquals(0, run("render", "--plugin", "/usr/lib/lv2/ZamDelay.lv2", "--in", track.toString(), "--out", o.toString(),
                "--bpm", "96", "-p", "sync=1", "-p", "div:3", "--format", "pcm24"), err.toString());
        assertTrue(out.toString().contains("delaytime=625"), out.toString()); // a quarter note at 96 bpm
        PcmAudio r = WavReader.read(o, 10);
        assertEquals(48000, r.frames());
        assertEquals(1, r.channels());
    }

    @Test
    void listsPorts() {
        assertEquals(0, run("render", "--plugin", DELAY, "--list-ports"));
        assertTrue(out.toString().contains("lv2_events_in") && out.toString().contains("time:Position"), out.toString());
        assertTrue(out.toString().contains("feedb"), out.toString());
    }

    @Test
    void badArgumentsExitWith2() {
        String in = track.toString(), o = dir.resolve("o.wav").toString();
        assertEquals(2, run("render", "--plugin", DELAY, "--in", in, "--out", o, "-p", "nosuch=1"));
        assertEquals(2, run("render", "--plugin", DELAY, "--in", in, "--out", o, "-p", "feedb"));
        assertEquals(2, run("render", "--plugin", DELAY, "--in", in, "--out", o, "-p", "feedb=x"));
        assertEquals(2, run("render", "--plugin", DELAY, "--in", in, "--out", o, "-p", "delaytime=1")); // an output
        assertEquals(2, run("render", "--plugin", "urn:segue:not-installed", "--in", in, "--out", o));
        assertEquals(2, run("render", "--plugin", dir.toString(), "--in", in, "--out", o)); // no manifest.ttl
        assertEquals(2, run("render", "--plugin", DELAY, "--in", in, "--out", o, "--generate-at-bar", "9"));
        assertEquals(2, run("render", "--plugin", DELAY, "--in", in, "--out", o, "--wait-for", "feedb=1"));
        assertEquals(2, run("render", "--plugin", DELAY, "--in", dir.resolve("missing.wav").toString(), "--out", o));
        assertEquals(2, run("render", "--plugin", DELAY, "--in", in, "--out", o, "--block", "0"));
        assertEquals(2, run("render", "--plugin", DELAY, "--in", in, "--out", o, "--time-sig", "4/3"));
        assertTrue(err.toString().contains("no control input 'nosuch'"), err.toString());
        assertTrue(err.toString().contains("auto_fire_bar"), err.toString());
    }

    @Test
    void waitEndsAtOnceWhenTheOutputAlreadyMatches() {
        assertEquals(0, run("render", "--plugin", DELAY, "--in", track.toString(), "--out", dir.resolve("o.wav").toString(),
                "-p", "sync=1", "--wait-for", "delaytime=500"), err.toString());
        assertTrue(out.toString().contains("(0 blocks) for delaytime=500: reached"), out.toString());
    }

    @Test
    void waitIsBoundedAndPacedAtRealTime() {
        long t0 = System.nanoTime();
        assertEquals(1, run("render", "--plugin", DELAY, "--in", track.toString(), "--out", dir.resolve("o.wav").toString(),
                "--wait-for", "delaytime=7", "--wait-seconds", "0.5"));
        double s = (System.nanoTime() - t0) / 1e9;
        assertTrue(out.toString().contains("NOT reached"), out.toString());
        assertTrue(s < 5, "bounded wait took " + s + " s");
        // 0.5 s at 48 kHz in blocks of 512 is about 47 blocks: paced, not spun thousands of times
        String blocks = out.toString().replaceAll("(?s).*\\((\\d+) blocks\\).*", "$1");
        int n = Integer.parseInt(blocks.trim());
        assertTrue(n >= 30 && n <= 60, n + " tail blocks in 0.5 s");
    }
}
