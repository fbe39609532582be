package dev.segue.engine.labels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Artist and genre name lists beside a model: lookup as the reference matches names, bounds, close matches. */
class LabelNamesTest {
    private static final Path FIXTURE_CONFIG = Path.of(System.getProperty("segue.shared", "../../shared"))
            .resolve("conformance/jukebox-lyrics-ref/config.json");

    @TempDir
    Path dir;

    /** The fixture's single_enc_dec prior (v3 labels, y_bins [604, 7898]), optionally edited. */
    private static PriorConfig prior(boolean v3, int maxGenres) throws Exception {
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(FIXTURE_CONFIG.toFile());
        ObjectNode p = (ObjectNode) root.get("priors").get("single_enc_dec");
        p.put("labels_v3", v3);
        p.put("max_bow_genre_size", maxGenres);
        return ModelConfig.fromJson(root, "test").named().get("single_enc_dec");
    }

    private LabelNames lists(PriorConfig prior, String artists, String genres) throws Exception {
        Files.writeString(dir.resolve(LabelNames.ARTISTS_FILE), artists);
        Files.writeString(dir.resolve(LabelNames.GENRES_FILE), genres);
        return LabelNames.load(dir, prior);
    }

    @Test
    void v3NamesMatchIgnoringCaseAndUnknownNamesListCloseMatches() throws Exception {
        LabelNames names = lists(prior(true, 1), "# comment\nThe Velvet Kestrels;17\n\nDJ Quarterpast;2048\nDJ Quarterback;9\n",
                "glass folk;77\nstatic soul;301\n");
        assertEquals(17, names.artist("the velvet KESTRELS"));
        assertArrayEquals(new int[] {301}, names.genres("Static Soul"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> names.artist("DJ Quarterpost"));
        assertTrue(e.getMessage().startsWith("artist 'DJ Quarterpost' is not in this prior's artist list (3 names); "
                + "closest: dj quarterpast, dj quarterback, the velvet kestrels"), e.getMessage());
        assertEquals(List.of("glass folk", "static soul"), names.genreNames());
    }

    @Test
    void v2NamesAreNormalisedAndAGenreIsABagOfWords() throws Exception {
        LabelNames names = lists(prior(false, 3), "The Velvet-Kestrels!;17\n", "glass;5\nfolk;6\nstatic;7\n");
        assertEquals("the_velvet_kestrels", LabelNames.normaliseV2("  The Velvet--Kestrels! "));
        assertEquals(17, names.artist("the velvet kestrels"));
        assertArrayEquals(new int[] {5, 6, -1}, names.genres("Glass Folk"));
        assertThrows(IllegalArgumentException.class, () -> names.genres("glass folk static glass"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> names.genres("glass fork"));
        assertTrue(e.getMessage().contains("closest: folk"), e.getMessage());
    }

    @Test
    void malformedListsAndIdsOutsideTheBinsAreRefusedWithTheLine() throws Exception {
        PriorConfig p = prior(true, 1);
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> lists(p, "a;1\nb;7898\n", ""));
        assertTrue(range.getMessage().endsWith("artists.txt line 2: id 7898 outside the prior's 0..7897"), range.getMessage());
        IllegalArgumentException genre = assertThrows(IllegalArgumentException.class, () -> lists(p, "", "g;604\n"));
        assertTrue(genre.getMessage().contains("genres.txt line 1"), genre.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> lists(p, "no separator\n", ""))
                .getMessage().contains("expected 'name;id'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> lists(p, "x;seven\n", ""))
                .getMessage().contains("is not a number"));
    }

    @Test
    void listsKeepTheFilesOrderAndSpellingWithEachNameOnce() throws Exception {
        LabelNames names = lists(prior(true, 1), "Zed Band;3\n# skipped\nAlpha Trio;1\nzed band;4\nMitte Ensemble;2\n",
                "tidepool jazz;12\nglass folk;77\n");
        assertEquals(List.of("Zed Band", "Alpha Trio", "Mitte Ensemble"), names.artistList());
        assertEquals(4, names.artist("Zed Band")); // the later line wins the lookup, as in the reference's dict
        assertEquals(List.of("tidepool jazz", "glass folk"), names.genreList());
    }

    @Test
    void aNameLongerThanTheWiresBoundIsRefused() throws Exception {
        PriorConfig p = prior(true, 1);
        lists(p, "\u00e9".repeat(64) + ";1\n", ""); // 128 UTF-8 bytes: the most a request may carry
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lists(p, "a;0\n" + "\u00e9".repeat(64) + "x;1\n", ""));
        assertTrue(e.getMessage().endsWith("artists.txt line 2: name longer than 128 UTF-8 bytes"), e.getMessage());
    }

    @Test
    void missingFilesMeanNoNamesOfThatKind() throws Exception {
        Files.writeString(dir.resolve(LabelNames.GENRES_FILE), "glass folk;77\n");
        LabelNames names = LabelNames.load(dir, prior(true, 1));
        assertFalse(names.hasArtists());
        assertTrue(names.hasGenres());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> names.artist("anyone"))
                .getMessage().contains("ships no artist list"));
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(0, EditDistance.of("folk", "folk"));
        assertEquals(1, EditDistance.of("folk", "fork"));
        assertEquals(3, EditDistance.of("kitten", "sitting"));
        assertEquals(4, EditDistance.of("", "jazz"));
    }
}
