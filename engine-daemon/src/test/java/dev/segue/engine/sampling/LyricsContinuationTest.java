package dev.segue.engine.sampling;

import dev.segue.engine.monitor.Monitor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.lyrics.LyricWindow;
import dev.segue.engine.lyrics.LyricsVocabulary;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.testing.ReferenceFixture;
import dev.segue.engine.vqvae.VqVae;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Continuations with the two lyrics top priors of the fixture (random weights: the audio is noise, the
 * plumbing is what is checked): with lyrics and instrumental, end to end at the sketch tier, and each
 * window labelled with its own position in the song and the lyric tokens of that position.
 */
class LyricsContinuationTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.lyrics();
    private static final String LYRICS = lyrics();
    private static NDManager root;
    private static VqVae vqvae;
    private static Prior single;
    private static Prior separate;

    @BeforeAll
    static void load() {
        root = fixture.root();
        ModelConfig config = fixture.config();
        try (SafetensorsFile v = fixture.weights("vqvae.safetensors")) {
            vqvae = new VqVae(config.vqvae(), v, root);
        }
        try (SafetensorsFile p = fixture.weights("prior_single_enc_dec.safetensors")) {
            single = new Prior(config.named().get("single_enc_dec"), config.vqvae(), p, root);
        }
        try (SafetensorsFile p = fixture.weights("prior_sep_enc_dec.safetensors")) {
            separate = new Prior(config.named().get("sep_enc_dec"), config.vqvae(), p, root);
        }
    }

    @AfterAll
    static void close() {
        single.close();
        separate.close();
        vqvae.close();
    }

    /** Numbered verses, so that every stretch of the text differs from every other. */
    private static String lyrics() {
        StringBuilder b = new StringBuilder();
        for (int verse = 1; b.length() < 1500; verse++) {
            b.append("Verse ").append(verse).append(": the tide comes in, the lights go out, line ").append(verse).append(".\n");
        }
        return b.toString();
    }

    private static float[] prime(int length) {
        float[] x = new float[length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220.0 * i / 44_100) + 0.1 * Math.sin(2 * Math.PI * 331.0 * i / 44_100));
        }
        return x;
    }

    @Test
    void eachWindowGetsTheLyricsOfItsOwnPositionInTheSong() {
        int hop = vqvae.config().hopLength(2);
        int nCtx = single.config().nCtx();
        int known = 200;
        // Windows: the first samples half a context, later ones a hop (n_ctx / 8) each: four windows in all.
        int total = known + nCtx / 2 + 3 * (nCtx / 8);
        SongLabels song = new SongLabels(17, new int[] {77}, LYRICS);
        WindowedSampler.WindowLabels rule = song.perWindow(single.config(), total, hop);
        List<int[]> windows = new ArrayList<>();
        List<LabelRow> rows = new ArrayList<>();
        long[] prime = new long[known];
        for (int i = 0; i < known; i++) {
            prime[i] = (i * 37L) % 2048;
        }
        long[][] tokens = new WindowedSampler(single, ContinuationPipeline.TOP_HOP_FRACTION).sample(root,
                new long[][] {prime}, 1, total, null, (start, length) -> {
                    windows.add(new int[] {start, length});
                    List<LabelRow> r = rule.forWindow(start, length);
                    rows.addAll(r);
                    return r;
                }, new SamplingParams(1.0, 0, 0.0, 5), new Monitor() {
                    @Override
                    public void progress(int level, long done, long all) {}

                    @Override
                    public boolean cancelled() {
                        return false;
                    }
                });
        assertEquals(4, windows.size());
        int[] songTokens = LyricsVocabulary.v3().tokenise(LYRICS);
        for (int w = 0; w < windows.size(); w++) {
            LabelRow row = rows.get(w);
            long offset = (long) windows.get(w)[0] * hop;
            assertEquals((long) total * hop, row.totalLength());
            assertEquals(offset, row.offset());
            assertEquals((long) nCtx * hop, row.windowLength());
            assertEquals(17, row.artist());
            assertArrayEquals(new int[] {77}, row.genres());
            assertArrayEquals(LyricWindow.tokens(songTokens, single.config().nTokens(), (long) total * hop, offset,
                    (long) nCtx * hop), row.lyrics(), "window " + w);
        }
        // Windows 1 and 3 start 2 hops apart: their lyric windows are different stretches, later in the song.
        int from1 = LyricWindow.firstIndex(songTokens.length, 32, (long) total * hop, rows.get(1).offset(), (long) nCtx * hop);
        int from3 = LyricWindow.firstIndex(songTokens.length, 32, (long) total * hop, rows.get(3).offset(), (long) nCtx * hop);
        assertTrue(from3 > from1, from1 + " then " + from3);
        assertFalse(java.util.Arrays.equals(rows.get(1).lyrics(), rows.get(3).lyrics()));
        for (long[] row : tokens) {
            assertArrayEquals(prime, java.util.Arrays.copyOf(row, known));
            for (long code : row) {
                assertTrue(code >= 0 && code < 2048, "music code " + code);
            }
        }
    }

    private static float[][] continueWith(Prior top, String lyrics) {
        ContinuationPipeline pipeline = new ContinuationPipeline(vqvae, Map.of(2, top));
        int hop = pipeline.topHop();
        ContinuationPipeline.Request r = new ContinuationPipeline.Request(2, Tier.SKETCH,
                List.of(new SamplingParams(1.0, 0, 0.0, 11)), true, true, new SongLabels(211, new int[] {12}, lyrics));
        return pipeline.continueAudio(root, prime(200 * hop), 3L * hop * top.config().nCtx() / 4, r,
                new Monitor() {});
    }

    @Test
    void bothLyricsArchitecturesContinueWithLyricsAndInstrumental() {
        for (Prior top : new Prior[] {single, separate}) {
            float[][] sung = continueWith(top, LYRICS);
            float[][] instrumental = continueWith(top, "");
            long frames = 3L * vqvae.config().hopLength(2) * top.config().nCtx() / 4;
            for (float[][] takes : new float[][][] {sung, instrumental}) {
                assertEquals(2, takes.length);
                for (float[] take : takes) {
                    assertEquals(frames, take.length);
                    for (float v : take) {
                        assertTrue(Float.isFinite(v));
                    }
                }
            }
            // Same seed, same music prime: only the lyric tokens differ, and they reach the model. (Their
            // effect on these random weights is small: over one short window the sampled codes can all agree.)
            assertFalse(java.util.Arrays.equals(sung[0], instrumental[0]) && java.util.Arrays.equals(sung[1], instrumental[1]),
                    (top.config().singleEncDec() ? "single_enc_dec" : "sep_enc_dec") + ": lyrics changed nothing");
        }
    }

    @Test
    void timingLabelsStayInTheTrainedRangeWhileTheLyricsFollowTheTruePosition() {
        int hop = vqvae.config().hopLength(2);
        long window = (long) single.config().nCtx() * hop;
        int[] songTokens = LyricsVocabulary.v3().tokenise(LYRICS);
        // 100 tokens: 12800 samples, shorter than the prior's min_duration of 1 s.
        LabelRow shortSong = new SongLabels(null, null, LYRICS).perWindow(single.config(), 100, hop).forWindow(60, 40).get(0);
        assertEquals(44_100, shortSong.totalLength());
        assertEquals(60L * hop, shortSong.offset());
        assertArrayEquals(LyricWindow.tokens(songTokens, 32, 100L * hop, 60L * hop, window), shortSong.lyrics());
        // Past max_duration (600 s): the last window that fits, but the lyrics of the song's end.
        int longTokens = (int) (700L * 44_100 / hop);
        LabelRow longSong = new SongLabels(null, null, LYRICS).perWindow(single.config(), longTokens, hop)
                .forWindow(longTokens - 10, 10).get(0);
        // The longest total the conditioner's float32 check (total < 600 s * 44100) accepts: floats are 2 apart here.
        assertEquals(600L * 44_100 - 2, longSong.totalLength());
        assertTrue((float) longSong.totalLength() < (float) (600.0 * 44_100));
        assertEquals(600L * 44_100 - window, longSong.offset());
        assertArrayEquals(java.util.Arrays.copyOfRange(songTokens, songTokens.length - 32, songTokens.length),
                longSong.lyrics());
    }

    @Test
    void theInstrumentalPathKeepsTheNeutralLabelRow() {
        LabelRow neutral = LabelRow.neutral(single.config()).get(0);
        LabelRow fixed = SongLabels.NONE.fixedRow(single.config()).get(0);
        assertEquals(neutral.totalLength(), fixed.totalLength());
        assertEquals(neutral.artist(), fixed.artist());
        assertArrayEquals(neutral.genres(), fixed.genres());
        assertNull(fixed.lyrics());
    }
}
