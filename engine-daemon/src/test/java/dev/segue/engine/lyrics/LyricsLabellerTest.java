package dev.segue.engine.lyrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.LabelRow;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LyricsLabellerTest {
    private static final Path FIXTURES = Path.of(System.getProperty("segue.shared", "../../shared"))
            .resolve("conformance/jukebox-lyrics-ref");

    @Test
    void eachWindowGetsTheLyricsOfItsPlaceInTheSong() {
        PriorConfig pc = ModelConfig.load(FIXTURES.resolve("config.json")).named().get("single_enc_dec");
        String verse = "Row, row, row your boat\nGently down the stream\nMerrily, merrily, merrily, merrily\n"
                + "Life is but a dream\n";
        LyricsLabeller labeller = new LyricsLabeller(pc, verse.repeat(4));
        assertTrue(labeller.songTokens() > 4 * pc.nTokens(), "the lyrics span several windows");
        long total = 120L * pc.sampleRate();
        long window = pc.sampleRate(); // a one-second window: its centre sits near the song's start and end
        LabelRow first = labeller.label(new LabelRow(total, 0, window, 7, new int[] {3}));
        LabelRow last = labeller.label(new LabelRow(total, total - window, window, 7, new int[] {3}));
        assertEquals(pc.nTokens(), first.lyrics().length);
        LyricsVocabulary v3 = LyricsVocabulary.v3();
        assertEquals(verse.substring(0, pc.nTokens()), v3.textise(first.lyrics()));
        String song = verse.repeat(4);
        assertEquals(song.substring(song.length() - pc.nTokens()), v3.textise(last.lyrics()));
        assertNotEquals(v3.textise(first.lyrics()), v3.textise(last.lyrics()));
        // Halfway: the window's centre (60.5 s of 120 s) picks the midpoint character.
        LabelRow middle = labeller.label(new LabelRow(total, total / 2, window, 7, new int[] {3}));
        int midpoint = (int) Math.floor(song.length() * 60.5 / 120);
        assertEquals(song.substring(midpoint - pc.nTokens() / 2, midpoint + pc.nTokens() / 2),
                v3.textise(middle.lyrics()));
        // The label fields themselves are kept.
        assertEquals(7, last.artist());
        assertArrayEquals(new int[] {3}, last.genres());
    }

    @Test
    void instrumentalPriorsAndMismatchedVocabulariesAreRefused() {
        ModelConfig config = ModelConfig.load(FIXTURES.resolve("config.json"));
        PriorConfig pc = config.named().get("sep_enc_dec");
        assertEquals(79, pc.lyrics().nVocab());
        assertThrows(IllegalArgumentException.class, () -> new LyricsLabeller(pc, "a\u00A9b"));
        PriorConfig instrumental = ModelConfig.load(FIXTURES.resolveSibling("jukebox-ref").resolve("config.json"))
                .priors().get(2);
        assertThrows(IllegalArgumentException.class, () -> new LyricsLabeller(instrumental, "la la"));
    }
}
