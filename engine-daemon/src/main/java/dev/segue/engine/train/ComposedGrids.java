package dev.segue.engine.train;

import dev.segue.engine.corpus.SongPlanner;
import dev.segue.engine.corpus.SongSpec;
import dev.segue.engine.prior.PrimeTraits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The grid each corpus track was composed on, at the track's first sample: what a DAW's context gives at
 * sampling time, so a beat-clocked prior can be trained on the clock it will hear ({@code segue train --clock
 * grid}). A composed piece starts on a downbeat and a clip starts {@code offset_s} into it, so the track's
 * first sample lies {@code offset_s * bpm / 60} quarter notes after a downbeat.
 */
final class ComposedGrids {
    private ComposedGrids() {}

    /** The grid of a clip the corpus composed from {@code spec}. */
    static PrimeTraits.Grid of(SongSpec spec) {
        return grid(spec.bpm(), spec.beatsPerBar(), 4, spec.offsetSeconds());
    }

    /** The grids of the corpus clips of seeds {@code firstSeed ..}, as {@code segue corpus} plans them. */
    static List<PrimeTraits.Grid> ofSeeds(long firstSeed, int count, double seconds) {
        List<PrimeTraits.Grid> grids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            grids.add(of(SongPlanner.plan(firstSeed + i, seconds)));
        }
        return grids;
    }

    /**
     * The grids of WAV files that {@code segue corpus} wrote, each read from the {@code manifest.csv} in its
     * folder ({@code file}, {@code tempo_bpm}, {@code time_signature}, {@code offset_s}).
     *
     * @throws IOException when a file's folder has no manifest, or the manifest has no row for it
     */
    static List<PrimeTraits.Grid> ofFiles(List<Path> files) throws IOException {
        Map<Path, Map<String, String[]>> manifests = new HashMap<>();
        Map<Path, List<String>> headers = new HashMap<>();
        List<PrimeTraits.Grid> grids = new ArrayList<>();
        for (Path f : files) {
            Path dir = f.toAbsolutePath().getParent();
            if (!manifests.containsKey(dir)) {
                Path csv = dir.resolve("manifest.csv");
                if (!Files.isRegularFile(csv)) {
                    throw new IOException(f + ": --clock grid needs the corpus's manifest.csv beside it (no " + csv + ")");
                }
                List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
                if (lines.isEmpty()) {
                    throw new IOException(csv + " is empty");
                }
                List<String> header = Arrays.asList(lines.get(0).split(","));
                Map<String, String[]> rows = new HashMap<>();
                int file = header.indexOf("file");
                for (String line : lines.subList(1, lines.size())) {
                    String[] cells = line.split(",");
                    if (file >= 0 && cells.length == header.size()) {
                        rows.put(cells[file], cells);
                    }
                }
                manifests.put(dir, rows);
                headers.put(dir, header);
            }
            List<String> header = headers.get(dir);
            String[] row = manifests.get(dir).get(f.getFileName().toString());
            int bpm = header.indexOf("tempo_bpm");
            int sig = header.indexOf("time_signature");
            int offset = header.indexOf("offset_s");
            if (row == null || bpm < 0 || sig < 0 || offset < 0) {
                throw new IOException(f + ": no tempo_bpm, time_signature and offset_s for it in " + dir.resolve("manifest.csv"));
            }
            try {
                String[] ts = row[sig].split("/");
                grids.add(grid(Double.parseDouble(row[bpm]), Integer.parseInt(ts[0]), Integer.parseInt(ts[1]),
                        Double.parseDouble(row[offset])));
            } catch (RuntimeException e) {
                throw new IOException(f + ": unreadable grid in its manifest row: " + e.getMessage());
            }
        }
        return grids;
    }

    private static PrimeTraits.Grid grid(double bpm, int num, int den, double offsetSeconds) {
        double beatsPerBar = num * 4.0 / den;
        return new PrimeTraits.Grid(bpm, beatsPerBar, offsetSeconds * bpm / 60);
    }
}
