package dev.segue.engine.resident;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds preset files: a path as given, else {@code <segue home>/presets/<name>.json}. */
public final class PresetFiles {
    private PresetFiles() {}

    public static Path home() {
        return Path.of(System.getProperty("segue.home", "."));
    }

    public static Path resolve(String nameOrPath) {
        Path direct = Path.of(nameOrPath);
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        Path named = home().resolve("presets").resolve(nameOrPath + ".json");
        if (Files.isRegularFile(named)) {
            return named;
        }
        throw new IllegalArgumentException("no preset '" + nameOrPath + "' (looked for " + direct + " and " + named + ")");
    }
}
