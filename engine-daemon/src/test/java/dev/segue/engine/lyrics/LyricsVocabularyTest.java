package dev.segue.engine.lyrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LyricsVocabularyTest {
    private final LyricsVocabulary v3 = LyricsVocabulary.v3();

    @Test
    void vocabularySizesAreTheReferenceNVocab() {
        assertEquals(79, LyricsVocabulary.v3().size());
        assertEquals(80, LyricsVocabulary.v2().size());
    }

    @Test
    void charactersMapToTheirReferenceIndexPlusOne() {
        // 'A' is the first character (1), 'a' the 27th, '0' the 53rd, '\n' the last (78 in v3).
        assertArrayEquals(new int[] {1, 27, 53, 78}, v3.tokenise("Aa0\n"));
        assertArrayEquals(new int[] {8, 31, 38, 38, 41, 64, 76}, v3.tokenise("Hello, "));
        // v2 has '+' after '-', so everything from the apostrophe on moves up by one.
        assertEquals(v3.tokenise("'")[0] + 1, LyricsVocabulary.v2().tokenise("'")[0]);
        assertEquals("Hello, world!\n", v3.textise(v3.tokenise("Hello, world!\n")));
        assertEquals("ab", v3.textise(new int[] {0, 0, 27, 28}), "padding reads as nothing");
    }

    @Test
    void accentsTypographyAndBackslashAreNormalised() {
        assertEquals("Cafe naive - \"quoted\" it's...\nStrasse", v3.normalise(
                "Café naïve \u2014 \u201Cquoted\u201D it\u2019s\u2026\\Straße"));
        assertEquals("a\nb\nc", v3.normalise("a\r\nb\rc"));
    }

    @Test
    void charactersWithoutASpellingAreRefusedWithTheirPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> v3.tokenise("first line\nsecond 日本"));
        assertTrue(e.getMessage().contains("U+65E5"), e.getMessage());
        assertTrue(e.getMessage().contains("line 2, column 8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v3.tokenise("me & you"));
        assertThrows(IllegalArgumentException.class, () -> v3.tokenise("1+1"), "'+' is v2 only");
        assertArrayEquals(LyricsVocabulary.v2().tokenise("1+1"), LyricsVocabulary.v2().tokenise("1+1"));
    }

    @Test
    void tooLongLyricsAreRefused() {
        String ok = "a".repeat(LyricsVocabulary.MAX_CHARACTERS);
        assertEquals(LyricsVocabulary.MAX_CHARACTERS, v3.tokenise(ok).length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v3.tokenise(ok + "b"));
        assertTrue(e.getMessage().contains("at most " + LyricsVocabulary.MAX_CHARACTERS), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v3.tokenise("x".repeat(10 * LyricsVocabulary.MAX_CHARACTERS)));
    }
}
