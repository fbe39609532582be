package dev.segue.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.engine.corpus.SongPlanner;
import dev.segue.engine.corpus.SongSpec;
import dev.segue.engine.prior.PrimeTraits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each corpus track's composed grid, from its seed or from the manifest beside its WAV. */
class ComposedGridsTest {
    @Test
    void aClipsGridPutsItsFirstSampleOffsetSecondsAfterADownbeat() {
        SongSpec spec = SongPlanner.plan(17, 10);
        PrimeTraits.Grid g = ComposedGrids.of(spec);
        assertEquals(spec.bpm(), g.bpm());
        assertEquals(spec.beatsPerBar(), g.beatsPerBar());
        assertEquals(spec.offsetSeconds() * spec.bpm() / 60, g.originBeats(), 1e-12);
        List<PrimeTraits.Grid> seeds = ComposedGrids.ofSeeds(17, 3, 10);
        assertEquals(g, seeds.get(0));
        assertEquals(ComposedGrids.of(SongPlanner.plan(19, 10)), seeds.get(2));
    }

    @Test
    void manifestsBesideTheFilesGiveTheirGrids(@TempDir Path dir) throws IOException {
        Path a = Files.createDirectories(dir.resolve("a"));
        Files.writeString(a.resolve("manifest.csv"), """
                file,seed,tempo_bpm,time_signature,offset_s
                clip_0.wav,0,96,4/4,12.5
                clip_1.wav,1,150,3/4,0.0
                """);
        Path one = Files.write(a.resolve("clip_1.wav"), new byte[0]);
        Path zero = Files.write(a.resolve("clip_0.wav"), new byte[0]);
        List<PrimeTraits.Grid> grids = ComposedGrids.ofFiles(List.of(zero, one));
        assertEquals(new PrimeTraits.Grid(96, 4, 12.5 * 96 / 60), grids.get(0));
        assertEquals(new PrimeTraits.Grid(150, 3, 0), grids.get(1));
        Path b = Files.createDirectories(dir.resolve("b"));
        Path stray = Files.write(b.resolve("x.wav"), new byte[0]);
        IOException none = assertThrows(IOException.class, () -> ComposedGrids.ofFiles(List.of(stray)));
        assertTrue(none.getMessage().contains("manifest.csv"), none.getMessage());
        Path unlisted = Files.write(a.resolve("clip_9.wav"), new byte[0]);
        assertThrows(IOException.class, () -> ComposedGrids.ofFiles(List.of(unlisted)));
    }
}
