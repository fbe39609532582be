package dev.segue.engine.lyrics;

import java.text.Normalizer;
import java.util.Map;

/**
 * The character vocabulary of Jukebox's lyrics priors (the reference's {@code TextProcessor}): token 0 is
 * {@code <unk>} (also the padding of short lyrics), then one token per character, in the reference's order.
 * v3 (the {@code 1b_lyrics} prior, {@code labels_v3}) has 78 characters, so n_vocab 79; v2 adds {@code +}
 * (n_vocab 80).
 *
 * <p>Characters outside the vocabulary. The reference transliterates to ASCII ({@code unidecode}), turns a
 * backslash into a line break and then silently drops every character it has no token for. Segue
 * normalises only what has one obvious spelling in the vocabulary and refuses the rest, so that a
 * producer never gets a take conditioned on lyrics other than the ones they typed: accents are stripped
 * (compatibility decomposition, combining marks dropped: "Café" to "Cafe"), ligatures and a few letters
 * are spelled out ("ß" to "ss", "æ" to "ae", "ø" to "o"), typographic quotes, dashes, ellipses and
 * non-breaking spaces become their ASCII forms, CR LF and CR become LF, a backslash becomes LF as in the
 * reference. Anything else (other scripts, emoji, symbols such as {@code @ # & *}) is refused with an
 * {@link IllegalArgumentException} naming the character, its code point and its line and column.
 */
public final class LyricsVocabulary {
    /** Bound on lyrics after normalisation: song lyrics run to a few thousand characters; this refuses abuse. */
    public static final int MAX_CHARACTERS = 20_000;

    private static final String V3 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,:;!?-'\"()[] \t\n";
    private static final String V2 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,:;!?-+'\"()[] \t\n";

    /** Spellings for characters that decomposition leaves alone; the rest of the list is punctuation. */
    private static final Map<Character, String> SPELLED = Map.ofEntries(
            Map.entry('ß', "ss"), Map.entry('æ', "ae"), Map.entry('Æ', "AE"), Map.entry('œ', "oe"),
            Map.entry('Œ', "OE"), Map.entry('ø', "o"), Map.entry('Ø', "O"), Map.entry('ł', "l"), Map.entry('Ł', "L"),
            Map.entry('đ', "d"), Map.entry('Đ', "D"), Map.entry('ð', "d"), Map.entry('Ð', "D"), Map.entry('þ', "th"),
            Map.entry('Þ', "Th"), Map.entry('ı', "i"),
            Map.entry('\u2018', "'"), Map.entry('\u2019', "'"), Map.entry('\u201A', "'"), Map.entry('\u2032', "'"),
            Map.entry('\u201C', "\""), Map.entry('\u201D', "\""), Map.entry('\u201E', "\""), Map.entry('\u00AB', "\""),
            Map.entry('\u00BB', "\""), Map.entry('\u2010', "-"), Map.entry('\u2011', "-"), Map.entry('\u2012', "-"),
            Map.entry('\u2013', "-"), Map.entry('\u2014', "-"), Map.entry('\u2212', "-"), Map.entry('\u2026', "..."),
            Map.entry('\u00A0', " "), Map.entry('\u2009', " "), Map.entry('\u202F', " "), Map.entry('\\', "\n"));

    private final String characters;
    private final int[] tokenOf = new int[128];

    private LyricsVocabulary(String characters) {
        this.characters = characters;
        java.util.Arrays.fill(tokenOf, -1);
        for (int i = 0; i < characters.length(); i++) {
            tokenOf[characters.charAt(i)] = i + 1;
        }
    }

    public static LyricsVocabulary v3() {
        return new LyricsVocabulary(V3);
    }

    public static LyricsVocabulary v2() {
        return new LyricsVocabulary(V2);
    }

    /** The vocabulary a prior was trained with: v3 for {@code labels_v3}, else v2. */
    public static LyricsVocabulary forLabels(boolean labelsV3) {
        return labelsV3 ? v3() : v2();
    }

    /** Tokens including {@code <unk>}: the prior's {@code n_vocab}. */
    public int size() {
        return characters.length() + 1;
    }

    /** Lyrics as the vocabulary spells them, normalised as the class comment says; refuses the rest. */
    public String normalise(String lyrics) {
        if (lyrics == null) {
            throw new IllegalArgumentException("lyrics must not be null (give \"\" for none)");
        }
        // Decomposition can lengthen text by a small factor; a raw bound keeps the work bounded too.
        if (lyrics.length() > 4 * MAX_CHARACTERS) {
            throw tooLong(lyrics.length());
        }
        String text = lyrics.replace("\r\n", "\n").replace('\r', '\n');
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD);
        StringBuilder out = new StringBuilder(decomposed.length());
        int line = 1;
        int column = 0;
        for (int i = 0; i < decomposed.length(); ) {
            int cp = decomposed.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.getType(cp) == Character.NON_SPACING_MARK) {
                continue;
            }
            column++;
            String spelled = cp < 0x10000 ? SPELLED.get((char) cp) : null;
            String piece = spelled != null ? spelled : new String(Character.toChars(cp));
            for (int j = 0; j < piece.length(); j++) {
                char ch = piece.charAt(j);
                if (ch >= 128 || tokenOf[ch] < 0) {
                    throw new IllegalArgumentException(String.format("lyrics: character '%s' (U+%04X) at line %d, "
                            + "column %d is not in the prior's lyric vocabulary (letters A-Z a-z, digits, space, "
                            + "line break, tab and %s); remove or replace it",
                            new String(Character.toChars(cp)), cp, line, column, punctuation()));
                }
                out.append(ch);
            }
            if (cp == '\n') {
                line++;
                column = 0;
            }
        }
        if (out.length() > MAX_CHARACTERS) {
            throw tooLong(out.length());
        }
        return out.toString();
    }

    /** Tokens of lyrics after {@link #normalise}: one per character, 1..size()-1. */
    public int[] tokenise(String lyrics) {
        String text = normalise(lyrics);
        int[] tokens = new int[text.length()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = tokenOf[text.charAt(i)];
        }
        return tokens;
    }

    /** The text of tokens; {@code <unk>} and padding (0) read as nothing, as in the reference. */
    public String textise(int[] tokens) {
        StringBuilder sb = new StringBuilder(tokens.length);
        for (int t : tokens) {
            if (t < 0 || t >= size()) {
                throw new IllegalArgumentException("lyric token " + t + " outside 0.." + (size() - 1));
            }
            if (t > 0) {
                sb.append(characters.charAt(t - 1));
            }
        }
        return sb.toString();
    }

    private String punctuation() {
        StringBuilder sb = new StringBuilder();
        for (char c : characters.toCharArray()) {
            if (!Character.isLetterOrDigit(c) && !Character.isWhitespace(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static IllegalArgumentException tooLong(int length) {
        return new IllegalArgumentException("lyrics: " + length + " characters; at most " + MAX_CHARACTERS
                + " are accepted");
    }
}
