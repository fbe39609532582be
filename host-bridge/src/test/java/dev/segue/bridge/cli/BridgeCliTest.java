package dev.segue.bridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.bridge.fake.CannedDaemon;
import dev.segue.bridge.fake.FakeDaemon;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavReader;
import dev.segue.protocol.wav.WavWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class BridgeCliTest {
    private static final int PRIME_FRAMES = 12_000;
    private static final double HALF_STEP_24 = 0.5 / 8_388_608;

    @TempDir
    Path dir;
    Path prime;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void writePrime() throws IOException {
        prime = dir.resolve("prime.wav");
        float[] v = new float[PRIME_FRAMES * 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = (int) (10_000 * Math.sin(i * 0.01)) / 32768f; // whole 16-bit steps: written exactly
        }
        WavWriter.write16(prime, new PcmAudio(48_000, 2, v));
    }

    int run(String... args) {
        return BridgeCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void continueWritesTakesThatMatchTheResults() throws Exception {
        List<float[]> takes = CannedDaemon.audibleTakes(2, 24_001, 11);
        Path outDir = dir.resolve("takes");
        try (FakeDaemon daemon = new FakeDaemon(new CannedDaemon(takes))) {
            int code = run("continue", "--in", prime.toString(), "--bars", "2", "--bpm", "90", "--time-sig", "6/8",
                    "--takes", "2", "--seed", "18446744073709551615", "--tier", "draft", "--out", outDir.toString(),
                    "--endpoint", daemon.endpoint(), "--timeout-s", "10");
            assertEquals(0, code, err.toString());

            Submit s = (Submit) daemon.received().stream().filter(m -> m instanceof Submit).findFirst().orElseThrow();
            assertEquals(new DawContext(48_000, 90, 6, 8, 0, 0.0), s.context());
            assertEquals(2, s.prime().channels());
            assertEquals(PRIME_FRAMES, s.prime().frames());
            GenerationRequest r = s.request();
            assertEquals("test-prior", r.prior());
            assertEquals("test-preset", r.preset());
            assertEquals(new Length.Bars(2), r.length());
            assertEquals(2, r.candidates());
            assertEquals(Quality.DRAFT, r.quality());
            assertEquals(List.of(0.95, 0.95, 0.95), r.temperatures(), "one per level of the 3-level prior");
            assertEquals(-1L, r.seed(), "2^64-1 as uint64");
        }
        for (int c = 0; c < 2; c++) {
            // 0.25 s of prime at 90 bpm in 6/8 (2 s bars): the takes start an eighth into bar 1.
            Path take = outDir.resolve("prime_bar001.13_90bpm_take" + (c + 1) + ".wav");
            assertTrue(out.toString().contains(take.toString()), out.toString());
            // A picture per take: prime and take on one axis, the seam drawn where the prime ends.
            Path png = outDir.resolve("prime_bar001.13_90bpm_take" + (c + 1) + ".png");
            assertTrue(out.toString().contains(png.toString()), out.toString());
            java.awt.image.BufferedImage picture = javax.imageio.ImageIO.read(png.toFile());
            assertEquals(TakePictures.WIDTH, picture.getWidth());
            int seamX = (int) Math.round(PRIME_FRAMES / (double) (PRIME_FRAMES + 24_001) * (TakePictures.WIDTH - 1));
            assertEquals(0xff9f1c, picture.getRGB(seamX, picture.getHeight() - 5) & 0xffffff, "the seam line");
            PcmAudio a = WavReader.read(take, 600);
            assertEquals(48_000, a.sampleRate());
            assertEquals(24_001, a.frames(), "length equals the result's total_frames");
            float[] want = takes.get(c);
            for (int i = 0; i < want.length; i++) {
                if (Math.abs(want[i] - a.samples()[i]) > HALF_STEP_24 + 1e-12) {
                    throw new AssertionError("take " + c + " sample " + i + ": " + a.samples()[i] + " vs " + want[i]);
                }
            }
        }
        assertTrue(out.toString().contains("job " + CannedDaemon.JOB), out.toString());
        try (Stream<Path> files = Files.list(outDir)) {
            assertEquals(4, files.count(), "the takes and their pictures, no temporary files");
        }
    }

    @Test
    void lyricsFromAFileWithArtistAndGenreReachTheRequest() throws Exception {
        Path lyricsFile = dir.resolve("song.txt");
        String text = "Harbour lights, take me home\nCaf\u00e9 across the water\n";
        Files.write(lyricsFile, ("\uFEFF" + text).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (FakeDaemon daemon = new FakeDaemon(new CannedDaemon(CannedDaemon.audibleTakes(1, 4_800, 3)))) {
            int code = run("continue", "--in", prime.toString(), "--seconds", "0.1", "--out", dir.resolve("o").toString(),
                    "--lyrics-file", lyricsFile.toString(), "--artist", "The Velvet Kestrels", "--genre", "glass folk",
                    "--endpoint", daemon.endpoint(), "--timeout-s", "10");
            assertEquals(0, code, err.toString());
            Submit s = (Submit) daemon.received().stream().filter(m -> m instanceof Submit).findFirst().orElseThrow();
            assertEquals(text, s.request().lyrics(), "the file's text without its byte-order mark");
            assertEquals("The Velvet Kestrels", s.request().artist());
            assertEquals("glass folk", s.request().genre());
        }
    }

    @Test
    void badLyricsFilesExitWith2NamingTheFile() throws Exception {
        String in = prime.toString();
        String o = dir.resolve("o").toString();
        Path big = dir.resolve("big.txt");
        Files.writeString(big, "la ".repeat(1400));
        assertEquals(2, run("continue", "--in", in, "--out", o, "--lyrics-file", big.toString()));
        assertTrue(err.toString().contains("--lyrics-file " + big + ": longer than 4096 bytes"), err.toString());
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'C', 'a', 'f', (byte) 0xE9});
        assertEquals(2, run("continue", "--in", in, "--out", o, "--lyrics-file", latin1.toString()));
        assertTrue(err.toString().contains("not UTF-8 text"), err.toString());
        assertEquals(2, run("continue", "--in", in, "--out", o, "--lyrics-file", dir.resolve("none.txt").toString()));
        Path ok = dir.resolve("ok.txt");
        Files.writeString(ok, "la la");
        assertEquals(2, run("continue", "--in", in, "--out", o, "--lyrics-file", ok.toString(), "--lyrics", "la"));
        assertTrue(err.toString().contains("give the lyrics once"), err.toString());
    }

    @Test
    void theProtocolsSpellingsStillSetTakesAndTier() throws Exception {
        try (FakeDaemon daemon = new FakeDaemon(new CannedDaemon(CannedDaemon.audibleTakes(3, 4_800, 5)))) {
            int code = run("continue", "--in", prime.toString(), "--bars", "1", "--candidates", "3", "--quality", "full",
                    "--out", dir.resolve("aliases").toString(), "--endpoint", daemon.endpoint(), "--timeout-s", "10");
            assertEquals(0, code, err.toString());
            Submit s = (Submit) daemon.received().stream().filter(m -> m instanceof Submit).findFirst().orElseThrow();
            assertEquals(3, s.request().candidates());
            assertEquals(Quality.FULL, s.request().quality());
        }
    }

    @Test
    void aTierThePriorDoesNotServeIsRefusedBeforeThePrimeIsSent() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(1, 100, 3));
        canned.maxQuality = Quality.DRAFT;
        try (FakeDaemon daemon = new FakeDaemon(canned)) {
            assertEquals(0, run("priors", "--endpoint", daemon.endpoint()));
            assertTrue(out.toString().contains("TIERS") && out.toString().contains("sketch,draft"), out.toString());
            int code = run("continue", "--in", prime.toString(), "--out", dir.resolve("full").toString(), "--tier",
                    "full", "--endpoint", daemon.endpoint(), "--timeout-s", "10");
            assertEquals(2, code, err.toString());
            assertTrue(err.toString().contains("--tier full: prior 'test-prior' serves sketch,draft"), err.toString());
            assertTrue(daemon.received().stream().noneMatch(m -> m instanceof Submit), "no prime was sent");
            assertEquals(0, run("continue", "--in", prime.toString(), "--out", dir.resolve("draft").toString(),
                    "--tier", "draft", "--endpoint", daemon.endpoint(), "--timeout-s", "10"), err.toString());
        }
    }

    @Test
    void badArgumentsExitWith2() throws Exception {
        String in = prime.toString();
        String o = dir.resolve("o").toString();
        assertEquals(2, run("continue", "--in", in, "--out", o, "--bars", "1", "--seconds", "2"));
        assertEquals(2, run("continue", "--in", in, "--out", o, "--time-sig", "4-4"));
        assertEquals(2, run("continue", "--in", in, "--out", o, "--tier", "best"));
        assertEquals(2, run("continue", "--in", in, "--out", o, "--quality", "best"));
        assertEquals(2, run("continue", "--in", in));
        assertEquals(2, run("continue", "--in", dir.resolve("missing.wav").toString(), "--out", o));
        // Range checks come from the protocol's records, before any connection is made.
        assertEquals(2, run("continue", "--in", in, "--out", o, "--bpm", "1000"));
        assertTrue(err.toString().contains("context.tempo_bpm"), err.toString());
        assertEquals(2, run());
        assertEquals(2, run("frobnicate"));
    }

    @Test
    void temperaturesMustMatchThePriorsLevels() throws Exception {
        try (FakeDaemon daemon = new FakeDaemon(new CannedDaemon(CannedDaemon.audibleTakes(1, 10, 1)))) {
            int code = run("continue", "--in", prime.toString(), "--out", dir.resolve("o").toString(),
                    "--temperature", "0.9,0.8", "--endpoint", daemon.endpoint());
            assertEquals(2, code);
            assertTrue(err.toString().contains("3 levels"), err.toString());
        }
    }

    @Test
    void daemonErrorExitsWith1AndPrintsTheCode() throws Exception {
        CannedDaemon canned = new CannedDaemon(CannedDaemon.audibleTakes(1, 10, 1));
        canned.submitError = ErrorCode.QUEUE_FULL;
        try (FakeDaemon daemon = new FakeDaemon(canned)) {
            int code = run("continue", "--in", prime.toString(), "--out", dir.resolve("o").toString(),
                    "--endpoint", daemon.endpoint());
            assertEquals(1, code);
            assertTrue(err.toString().contains("daemon error QUEUE_FULL: request.prior: canned refusal"), err.toString());
        }
    }

    @Test
    void noDaemonExitsWith1Promptly() throws Exception {
        long start = System.nanoTime();
        int code = run("priors", "--endpoint", "tcp://127.0.0.1:" + freePort(), "--reply-timeout-s", "0.5");
        assertEquals(1, code);
        assertTrue(err.toString().contains("timed out"), err.toString());
        assertTrue((System.nanoTime() - start) / 1e9 < 3);
    }

    @Test
    void priorsFetchAndCancel() throws Exception {
        try (FakeDaemon daemon = new FakeDaemon(new CannedDaemon(CannedDaemon.audibleTakes(3, 100, 2)))) {
            assertEquals(0, run("priors", "--endpoint", daemon.endpoint()));
            assertTrue(out.toString().contains("test-prior") && out.toString().contains("test-preset"), out.toString());

            Path fetched = dir.resolve("fetched");
            assertEquals(0, run("fetch", CannedDaemon.JOB, "--out", fetched.toString(), "--endpoint", daemon.endpoint()));
            assertEquals(100, WavReader.read(fetched.resolve(CannedDaemon.JOB + "_take3.wav"), 600).frames());

            assertEquals(1, run("fetch", "nope", "--out", fetched.toString(), "--endpoint", daemon.endpoint()));
            assertTrue(err.toString().contains("UNKNOWN_JOB"), err.toString());

            assertEquals(0, run("cancel", CannedDaemon.JOB, "--endpoint", daemon.endpoint()));
            assertTrue(out.toString().contains("had already finished"), out.toString());
        }
    }

    @Test
    void priorsLabelsFetchesEveryPageAndPrintsEachList() throws Exception {
        try (FakeDaemon daemon = new FakeDaemon(new CannedDaemon(CannedDaemon.audibleTakes(1, 100, 2)))) {
            assertEquals(0, run("priors", "--labels", "test-prior", "--endpoint", daemon.endpoint()), err.toString());
            StringBuilder expected = new StringBuilder("ARTISTS of test-prior (300)\n");
            CannedDaemon.ARTISTS.forEach(n -> expected.append("  ").append(n).append('\n'));
            expected.append("\nGENRES of test-prior (0)\n  (none: the prior ships no genre list; leave --genre out)\n");
            assertEquals(expected.toString(), out.toString().replace(System.lineSeparator(), "\n"));
            long pages = daemon.received().stream().filter(m -> m instanceof ListLabels).count();
            assertEquals(3 + 1, pages, "300 artists in pages of 128, and one (empty) genre page");

            out.getBuffer().setLength(0);
            assertEquals(0, run("priors", "--labels", "test-prior", "--kind", "Genre", "--endpoint", daemon.endpoint()));
            assertEquals("GENRES of test-prior (0)", out.toString().lines().findFirst().orElseThrow());

            assertEquals(1, run("priors", "--labels", "nope", "--endpoint", daemon.endpoint()));
            assertTrue(err.toString().contains("UNKNOWN_PRIOR"), err.toString());
            assertEquals(2, run("priors", "--kind", "artist", "--endpoint", daemon.endpoint()));
            assertTrue(err.toString().contains("--kind needs --labels PRIOR"), err.toString());
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
