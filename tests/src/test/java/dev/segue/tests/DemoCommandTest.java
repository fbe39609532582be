package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, as a user runs it: `./segue demo` starts a daemon, sends the bundled prime,
 * writes the takes and their pictures, and stops the daemon it started. Shortened to 2 takes of 1 bar so the
 * test stays quick; the demo job's timing (`./segue bench sketch`) is in presets/README.md.
 */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void theDemoWritesTakesOfExactlyTheAskedBarsAndStopsItsDaemon() throws Exception {
        String endpoint = FreePort.loopbackEndpoint();
        Path out = dir.resolve("demo");
        ProcessBuilder pb = new ProcessBuilder("bash", SeguePart.ROOT.resolve("segue").toString(), "demo", "--takes", "2",
                "--bars", "1", "--out", out.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("demo.log").toFile());
        pb.environment().put("SEGUE_DEMO_ENDPOINT", endpoint);
        pb.environment().put("SEGUE_SHARED", SeguePart.SHARED.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "demo did not finish");
        String log = Files.readString(dir.resolve("demo.log"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("segue demo: 2 takes of 1 bars and their pictures are in " + out), log);
        AudioInputStream prime = AudioSystem.getAudioInputStream(SeguePart.ROOT.resolve("presets/demo-prime.wav").toFile());
        float rate = prime.getFormat().getSampleRate();
        prime.close();
        for (String take : List.of("demo-prime_bar005_120bpm_take1", "demo-prime_bar005_120bpm_take2")) {
            AudioInputStream in = AudioSystem.getAudioInputStream(out.resolve(take + ".wav").toFile());
            // One bar of 4/4 at 120 bpm is 2 s at the prime's rate; the 8 s prime is 4 bars, so the take is bar 5.
            assertEquals((long) Math.floor(2.0 * rate + 0.5), in.getFrameLength(), take);
            in.close();
            assertTrue(Files.size(out.resolve(take + ".png")) > 1000, take + ".png");
        }
        Process left = new ProcessBuilder("pgrep", "-f", "daemon --endpoint " + endpoint).start();
        left.waitFor(10, TimeUnit.SECONDS);
        assertEquals(1, left.exitValue(), "the daemon the demo started is stopped again");
    }
}
