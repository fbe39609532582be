package dev.segue.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine's packages, read from their sources' imports: dependencies point one way. The commands sit on top
 * and nothing imports them; the benches are reached only from the commands; the daemon's server knows nothing of
 * tensors; and no two packages import each other, directly or around a loop.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/segue/engine");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.segue\\.engine\\.([a-z]+)\\.", Pattern.MULTILINE);

    /** Package to the engine packages its main sources import (itself left out). */
    private static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(f).getName(0).toString();
                Set<String> deps = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        deps.add(m.group(1));
                    }
                }
            }
        }
        return graph;
    }

    private static List<String> importersOf(Map<String, Set<String>> graph, String pkg) {
        return graph.entrySet().stream().filter(e -> e.getValue().contains(pkg)).map(Map.Entry::getKey).toList();
    }

    @Test
    void theCommandsAreOnTopAndTheBenchesBelowThemOnly() throws IOException {
        Map<String, Set<String>> graph = graph();
        assertTrue(graph.containsKey("cli") && graph.containsKey("bench") && graph.containsKey("server"), graph.keySet().toString());
        assertEquals(List.of(), importersOf(graph, "cli"), "packages importing the commands");
        assertEquals(List.of("cli"), importersOf(graph, "bench"), "packages importing the benches");
    }

    @Test
    void theServerKnowsNothingOfTensorsOrModels() throws IOException {
        Set<String> server = graph().get("server");
        for (String model : List.of("nn", "prior", "vqvae", "sampling", "resident", "checkpoint", "cluster")) {
            assertTrue(!server.contains(model), "server imports " + model + ": " + server);
        }
        try (Stream<Path> files = Files.walk(SOURCES.resolve("server"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                assertTrue(!Files.readString(f).contains("import ai.djl"), f + " imports DJL");
            }
        }
    }

    @Test
    void noPackageReachesItselfThroughItsImports() throws IOException {
        Map<String, Set<String>> graph = graph();
        for (String start : graph.keySet()) {
            List<String> path = loopFrom(graph, start, start, new ArrayList<>(List.of(start)), new TreeSet<>());
            assertTrue(path == null, "a dependency loop: " + path);
        }
    }

    private static List<String> loopFrom(Map<String, Set<String>> graph, String start, String at, List<String> path,
                                         Set<String> seen) {
        for (String next : graph.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> loop = new ArrayList<>(path);
                loop.add(start);
                return loop;
            }
            if (seen.add(next)) {
                path.add(next);
                List<String> found = loopFrom(graph, start, next, path, seen);
                if (found != null) {
                    return found;
                }
                path.remove(path.size() - 1);
            }
        }
        return null;
    }
}
