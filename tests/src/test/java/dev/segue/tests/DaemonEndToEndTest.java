package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon and the command-line client as real processes: a prime goes in, takes of exactly the asked
 * length come back as WAVs, and after the daemon is killed (SIGKILL, no shutdown hook) and restarted, the
 * finished job is fetched again bit for bit.
 */
class DaemonEndToEndTest {
    private static final int RATE = 48000; // a DAW rate, not the model's 44.1 kHz: the daemon converts both ways

    @TempDir
    Path dir;
    @AutoClose
    private DaemonProcess daemon;
    private String endpoint;

    private void startDaemon(String log) throws Exception {
        if (daemon == null) {
            daemon = new DaemonProcess(dir);
            endpoint = daemon.endpoint;
        }
        daemon.start(log);
    }

    private String client(String log, String... args) throws Exception {
        Path logFile = dir.resolve(log);
        Process p = new ProcessBuilder(SeguePart.bridge(args)).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "client did not finish");
        String out = Files.readString(logFile);
        assertEquals(0, p.exitValue(), "client failed:\n" + out);
        return out;
    }

    @Test
    void primeInTakesOutAndFetchedAgainAfterAKilledDaemon() throws Exception {
        startDaemon("daemon-1.log");
        Path prime = dir.resolve("prime.wav");
        TestAudio.writeSinePrime(prime, RATE, 2 * RATE);
        String out = client("continue.log", "continue", "--in", prime.toString(), "--seconds", "0.3", "--takes", "2",
                "--seed", "5", "--out", dir.resolve("takes").toString(), "--endpoint", endpoint);
        Matcher job = Pattern.compile("job (\\S+)").matcher(out);
        assertTrue(job.find(), "no job id in:\n" + out);
        int frames = (int) Math.floor(0.3 * RATE + 0.5);
        // A 2 s prime at 120 bpm 4/4 is one bar: the takes start on bar 2.
        List<String> names = List.of("prime_bar002_120bpm_take1.wav", "prime_bar002_120bpm_take2.wav");
        for (String take : names) {
            AudioInputStream in = AudioSystem.getAudioInputStream(dir.resolve("takes").resolve(take).toFile());
            assertEquals(frames, in.getFrameLength(), take + " length");
            assertEquals(RATE, (int) in.getFormat().getSampleRate(), take + " rate");
            in.close();
        }
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(dir.resolve("takes").resolve(names.get(0))),
                Files.readAllBytes(dir.resolve("takes").resolve(names.get(1)))), "two takes, not one twice");

        daemon.kill();
        startDaemon("daemon-2.log");
        client("fetch.log", "fetch", job.group(1), "--out", dir.resolve("fetched").toString(), "--endpoint", endpoint);
        for (int c = 0; c < 2; c++) {
            String fetched = job.group(1) + "_take" + (c + 1) + ".wav";
            assertArrayEquals(Files.readAllBytes(dir.resolve("takes").resolve(names.get(c))),
                    Files.readAllBytes(dir.resolve("fetched").resolve(fetched)), fetched + " after the restart");
        }

        // The restarted daemon still holds each take's codes: take 2 is extended by 0.2 s, only the new audio.
        String ext = client("extend.log", "extend", job.group(1), "--take", "2", "--seconds", "0.2", "--out",
                dir.resolve("extended").toString(), "--endpoint", endpoint);
        Matcher extJob = Pattern.compile("job (\\S+) accepted \\(extends").matcher(ext);
        assertTrue(extJob.find(), ext);
        AudioInputStream extended = AudioSystem.getAudioInputStream(dir.resolve("extended")
                .resolve(extJob.group(1) + "_take1.wav").toFile());
        assertEquals((int) Math.floor(0.2 * RATE + 0.5), extended.getFrameLength(), "exactly the asked extension");
        extended.close();
    }
}
