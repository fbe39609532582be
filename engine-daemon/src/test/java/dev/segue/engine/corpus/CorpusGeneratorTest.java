package dev.segue.engine.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renders through the real SoundFont: reproducibility, levels, lengths and the manifest. */
class CorpusGeneratorTest {
    static CorpusGenerator generator;

    @BeforeAll
    static void load() throws IOException {
        generator = CorpusGenerator.withDefaultSoundFont();
    }

    @Test
    void sameSeedGivesByteIdenticalFilesWhateverTheThreadCount(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        generator.generate(40, 3, 2.0, 16000, a, 1);
        generator.generate(40, 3, 2.0, 16000, b, 2);
        for (long seed = 40; seed < 43; seed++) {
            String name = "clip-" + seed + ".wav";
            assertArrayEquals(Files.readAllBytes(a.resolve(name)), Files.readAllBytes(b.resolve(name)), name);
        }
        assertArrayEquals(Files.readAllBytes(a.resolve("manifest.csv")), Files.readAllBytes(b.resolve("manifest.csv")));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve("clip-40.wav")),
                Files.readAllBytes(a.resolve("clip-41.wav"))), "different seeds, different clips");
    }

    @Test
    void clipsHaveTheAskedLengthRateAndLoudness(@TempDir Path dir) throws IOException {
        List<Map<String, Object>> rows = generator.generate(7, 2, 1.5, 22050, dir, 1);
        assertEquals(2, rows.size());
        for (Map<String, Object> row : rows) {
            PcmAudio audio = WavReader.read(dir.resolve((String) row.get("file")), 60);
            assertEquals(22050, audio.sampleRate());
            assertEquals(1, audio.channels());
            assertEquals(Math.round(1.5 * 22050), audio.samples().length);
            double rms = Loudness.rmsDb(audio.samples());
            double peak = Loudness.peakDb(audio.samples());
            // RMS on target unless the peak ceiling held it back; never over the ceiling.
            assertTrue(peak <= Loudness.PEAK_CEILING_DB + 0.01, "peak " + peak);
            assertTrue(Math.abs(rms - Loudness.TARGET_RMS_DB) < 0.1 || peak > Loudness.PEAK_CEILING_DB - 0.1,
                    "rms " + rms + " peak " + peak);
        }
        String csv = Files.readString(dir.resolve("manifest.csv"));
        assertTrue(csv.startsWith(String.join(",", Manifest.COLUMNS) + "\n"), csv);
        assertEquals(3, csv.split("\n").length);
        assertTrue(Files.readString(dir.resolve("manifest.json")).contains("\"tempo_bpm\""));
    }

    @Test
    void demoPrimeIsFourBarsAt120() throws IOException {
        Clip prime = generator.demoPrime(22050);
        assertEquals(120, prime.spec().bpm());
        assertEquals(4, prime.spec().beatsPerBar());
        assertEquals(8.0, prime.spec().seconds());
        assertEquals(4 * 22050 * 2, prime.audio().length);
        assertTrue(prime.rmsDb() > -25, "not silent: " + prime.rmsDb());
    }

    @Test
    void renderingDoesNotDependOnWhatWasRenderedBefore() throws IOException {
        float[] first = generator.clip(5, 1.0, 16000).audio();
        generator.clip(6, 1.0, 16000);
        assertArrayEquals(first, generator.clip(5, 1.0, 16000).audio());
    }
}
