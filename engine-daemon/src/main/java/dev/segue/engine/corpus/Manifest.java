package dev.segue.engine.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The corpus index: one row per clip, written as manifest.csv and manifest.json side by side. */
public final class Manifest {
    private Manifest() {}

    static final List<String> COLUMNS = List.of("file", "seed", "style", "tempo_bpm", "key", "mode", "time_signature",
            "progression_a", "progression_b", "comp", "bass_figure", "chord_program", "bass_program", "lead_program",
            "drum_kit", "offset_s", "seconds", "sample_rate", "gain_db", "rms_dbfs");

    static Map<String, Object> row(Clip clip) {
        SongSpec s = clip.spec();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("file", clip.fileName());
        row.put("seed", s.seed());
        row.put("style", s.style().name().toLowerCase(Locale.ROOT));
        row.put("tempo_bpm", s.bpm());
        row.put("key", s.key().tonicName());
        row.put("mode", s.key().mode().name().toLowerCase(Locale.ROOT));
        row.put("time_signature", s.timeSignature());
        row.put("progression_a", s.progressionA());
        row.put("progression_b", s.progressionB());
        row.put("comp", s.comp().name().toLowerCase(Locale.ROOT));
        row.put("bass_figure", s.bass().name().toLowerCase(Locale.ROOT));
        row.put("chord_program", s.chordProgram());
        row.put("bass_program", s.bassProgram());
        row.put("lead_program", s.leadProgram());
        row.put("drum_kit", s.drumKit());
        row.put("offset_s", round(s.offsetSeconds()));
        row.put("seconds", round(s.seconds()));
        row.put("sample_rate", clip.sampleRate());
        row.put("gain_db", round(clip.gainDb()));
        row.put("rms_dbfs", round(clip.rmsDb()));
        return row;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Writes both forms atomically; rows in the order given. */
    static void write(Path dir, List<Map<String, Object>> rows) throws IOException {
        StringBuilder csv = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String c : COLUMNS) {
                cells.add(String.valueOf(row.get(c))); // no cell holds a comma or a quote
            }
            csv.append(String.join(",", cells)).append('\n');
        }
        atomicWrite(dir.resolve("manifest.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(rows);
        atomicWrite(dir.resolve("manifest.json"), json);
    }

    private static void atomicWrite(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
