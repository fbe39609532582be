package dev.segue.protocol.vectors;

import dev.segue.protocol.ProtocolCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes protocol/vectors/ from the catalogs (Examples, InvalidVectors, LenientVectors): the
 * .frames files, the expected.txt indexes and README.md. Run via
 * {@code mvn -pl protocol test -Dsegue.regenerateVectors=true}, or as a main with the directory.
 * The files are committed; GoldenVectorTest fails when they and this output drift apart.
 */
public final class GoldenVectorWriter {
    private GoldenVectorWriter() {}

    public static void main(String[] args) throws IOException {
        write(Path.of(args.length > 0 ? args[0] : "vectors"));
    }

    /** Every file under vectors/, by relative path ('/' separated). */
    public static Map<String, byte[]> render() {
        Map<String, byte[]> files = new TreeMap<>();
        StringBuilder readme = new StringBuilder(VectorReadme.HEAD);

        readme.append("\n## Valid (`*.frames`): decode, then re-encode byte-identically\n\n");
        readme.append("| file | type | frame bytes | about |\n| --- | --- | --- | --- |\n");
        for (Examples.Example e : Examples.all()) {
            List<byte[]> frames = ProtocolCodec.encode(e.message());
            files.put(e.name() + ".frames", FrameFile.write(frames));
            readme.append("| `").append(e.name()).append(".frames` | ").append(e.message().type().wire())
                    .append(" | ").append(sizes(frames)).append(" | ").append(e.about()).append(" |\n");
        }

        readme.append("\n## Invalid (`invalid/`): decoding must fail with the code in `invalid/expected.txt`\n\n");
        readme.append("| file | code | field | about |\n| --- | --- | --- | --- |\n");
        StringBuilder expected = new StringBuilder("# file code field  (field: the wire path the Java codec names)\n");
        for (InvalidVectors.Invalid v : InvalidVectors.all()) {
            files.put("invalid/" + v.name() + ".frames", FrameFile.write(v.frames()));
            expected.append(v.name()).append(".frames ").append(v.code()).append(' ').append(v.field()).append('\n');
            readme.append("| `").append(v.name()).append(".frames` | ").append(v.code()).append(" | `")
                    .append(v.field().replace("|", "\\|")).append("` | ").append(v.about()).append(" |\n");
        }
        files.put("invalid/expected.txt", utf8(expected.toString()));

        readme.append("\n## Lenient (`lenient/`): valid, not canonical; decode to the same message as the named vector\n\n");
        readme.append("| file | same message as | about |\n| --- | --- | --- |\n");
        StringBuilder same = new StringBuilder("# file canonical-file\n");
        for (LenientVectors.Lenient v : LenientVectors.all()) {
            files.put("lenient/" + v.name() + ".frames", FrameFile.write(v.frames()));
            same.append(v.name()).append(".frames ").append(v.canonical()).append(".frames\n");
            readme.append("| `").append(v.name()).append(".frames` | `").append(v.canonical()).append(".frames` | ")
                    .append(v.about()).append(" |\n");
        }
        files.put("lenient/expected.txt", utf8(same.toString()));
        files.put("README.md", utf8(readme.toString()));
        return files;
    }

    /** Writes the rendered files and deletes stale .frames files, so removed vectors disappear. */
    public static void write(Path dir) throws IOException {
        Map<String, byte[]> files = render();
        for (String sub : List.of("", "invalid", "lenient")) {
            Path d = dir.resolve(sub);
            Files.createDirectories(d);
            try (Stream<Path> s = Files.list(d)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String rel = dir.relativize(p).toString().replace('\\', '/');
                    if (rel.endsWith(".frames") && !files.containsKey(rel)) {
                        Files.delete(p);
                    }
                }
            }
        }
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
    }

    private static String sizes(List<byte[]> frames) {
        StringBuilder s = new StringBuilder();
        for (byte[] f : frames) {
            s.append(s.length() == 0 ? "" : " + ").append(f.length);
        }
        return s.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
