package dev.segue.protocol.vectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads the committed vector files the way another language's test would. */
public final class VectorFiles {
    private VectorFiles() {}

    /** protocol/vectors, relative to the module directory (Surefire's working directory). */
    public static Path dir() {
        return Path.of(System.getProperty("segue.protocol.vectors", "vectors"));
    }

    public static List<byte[]> frames(Path file) {
        try {
            return FrameFile.read(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The .frames files directly in {@code sub} ("" for the valid set), sorted. */
    public static List<Path> list(String sub) {
        try (Stream<Path> s = Files.list(dir().resolve(sub))) {
            return s.filter(p -> p.toString().endsWith(".frames")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Non-comment lines of an index file, split on spaces. */
    public static List<String[]> index(String sub) {
        try {
            List<String[]> rows = new ArrayList<>();
            for (String line : Files.readAllLines(dir().resolve(sub).resolve("expected.txt"), StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    rows.add(line.trim().split(" +"));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
