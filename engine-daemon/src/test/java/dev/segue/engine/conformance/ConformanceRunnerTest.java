package dev.segue.engine.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.checkpoint.SafetensorsWriter;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.testing.ReferenceFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The conformance command against the jukebox-ref fixtures, and proof that its checks can fail. */
class ConformanceRunnerTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.jukebox();

    private record Outcome(boolean passed, List<Verdict> checks, String printed) {
        List<String> names() {
            return checks.stream().map(Verdict::name).collect(Collectors.toList());
        }

        boolean has(String... parts) {
            return names().stream().anyMatch(n -> Stream.of(parts).allMatch(n::contains));
        }
    }

    private static Outcome run(Path dir) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ConformanceRunner runner = new ConformanceRunner(dir, out);
        boolean passed = runner.run(fixture.root());
        out.flush();
        return new Outcome(passed, List.copyOf(runner.checks()), bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void referenceFixturesConform() {
        Outcome o = run(fixture.dir());
        List<Verdict> failed = o.checks().stream().filter(c -> !c.passed()).toList();
        assertTrue(failed.isEmpty(), "failed checks:\n" + o.printed());
        assertTrue(o.passed(), o.printed());

        // Both weight forms are checked.
        assertTrue(o.has(".safetensors"), o.printed());
        assertTrue(o.has(".pth.tar"), o.printed());
        // Every VQ-VAE level, encode and decode, for each form present.
        for (String form : List.of(".safetensors", ".pth.tar")) {
            for (int level = 0; level < 3; level++) {
                assertTrue(o.has("vqvae" + form, "encode level " + level), "vqvae" + form + " encode " + level);
                assertTrue(o.has("vqvae" + form, "decode from level " + level), "vqvae" + form + " decode " + level);
            }
        }
        // Every prior: teacher-forced logits, loss and the greedy path.
        for (int level = 0; level < 3; level++) {
            String key = "prior" + level + ".safetensors";
            assertTrue(o.has(key, "teacher-forced logits"), key);
            assertTrue(o.has(key, "loss"), key);
            assertTrue(o.has(key, "greedy continuation tokens"), key);
            assertTrue(o.has(key, "greedy prefill+cached-step logits"), key);
        }
        assertTrue(o.has("prior2.pth.tar", "teacher-forced logits"), o.printed());
        assertTrue(o.has("prior2.pth.tar", "greedy continuation tokens"), o.printed());

        // One printed PASS line per check, and no FAIL line.
        long passLines = o.printed().lines().filter(l -> l.startsWith("PASS ")).count();
        assertEquals(o.checks().size(), passLines, o.printed());
        assertFalse(o.printed().contains("FAIL"), o.printed());
    }

    /** Copies the fixtures with one element of {@code prior2.logits} moved by +0.01; only that check may fail. */
    @Test
    void perturbedLogitsFail(@TempDir Path tmp) throws IOException {
        try (Stream<Path> files = Files.list(fixture.dir())) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("cases.safetensors")) {
                    Files.copy(f, tmp.resolve(f.getFileName()));
                }
            }
        }
        int perturbed = -1;
        try (SafetensorsFile cases = SafetensorsFile.open(fixture.dir().resolve("cases.safetensors"))) {
            List<TensorEntry> out = new ArrayList<>();
            for (String name : cases.names()) {
                TensorEntry e = cases.get(name);
                if (name.equals("prior2.logits")) {
                    ByteBuffer copy = ByteBuffer.allocate(e.data().remaining()).order(ByteOrder.LITTLE_ENDIAN);
                    copy.put(e.data()).flip();
                    perturbed = (int) (e.elementCount() / 3 + 17);
                    copy.putFloat(4 * perturbed, copy.getFloat(4 * perturbed) + 0.01f);
                    e = new TensorEntry(name, e.dtype(), e.shape(), copy);
                }
                out.add(e);
            }
            SafetensorsWriter.write(tmp.resolve("cases.safetensors"), out, cases.metadata());
        }
        assertTrue(perturbed >= 0, "prior2.logits not found in the fixtures");

        Outcome o = run(tmp);
        assertFalse(o.passed(), o.printed());
        List<String> failed = o.checks().stream().filter(c -> !c.passed()).map(Verdict::name).sorted().toList();
        assertEquals(List.of("prior2.pth.tar teacher-forced logits", "prior2.safetensors teacher-forced logits"),
                failed, o.printed());
        List<String> failLines = o.printed().lines().filter(l -> l.startsWith("FAIL ")).toList();
        assertEquals(2, failLines.size(), o.printed());
        for (String line : failLines) {
            assertTrue(line.contains("prior2") && line.contains("teacher-forced logits"), line);
            assertTrue(line.contains("max abs error 1.0"), "the error is the 0.01 perturbation: " + line);
        }
        // Everything else, the loss and the greedy path of prior 2 included, still passes.
        assertTrue(o.checks().size() > failed.size() + 20, o.printed());
    }

    @Test
    void emptyDirectoryFailsInsteadOfPassingVacuously(@TempDir Path tmp) throws IOException {
        // config.json with no priors and no cases worth checking: "nothing to check" must not count as a pass.
        Files.writeString(tmp.resolve("config.json"), Files.readString(fixture.dir().resolve("config.json"))
                .replaceFirst("\"priors\"", "\"unused_priors\""));
        SafetensorsWriter.write(tmp.resolve("cases.safetensors"), List.of(), null);
        Outcome o = run(tmp);
        assertFalse(o.passed(), o.printed());
        assertTrue(o.printed().contains("FAIL "), o.printed());
    }
}
