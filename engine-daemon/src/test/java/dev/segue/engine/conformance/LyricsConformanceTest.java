package dev.segue.engine.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The conformance command on the lyrics fixtures (both architectures, every weight form), and its failures. */
class LyricsConformanceTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.lyrics();
    private static final String[] ARCHITECTURES = {"single_enc_dec", "sep_enc_dec"};

    private record Outcome(boolean passed, List<Verdict> checks, String printed) {
        boolean has(String name) {
            return checks.stream().anyMatch(c -> c.name().equals(name));
        }
    }

    private static Outcome run(Path dir) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ConformanceRunner runner = new ConformanceRunner(dir, out);
        boolean passed = runner.run(fixture.root());
        return new Outcome(passed, List.copyOf(runner.checks()), bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void lyricsFixturesConform() {
        Outcome o = run(fixture.dir());
        assertTrue(o.passed(), o.printed());
        for (String arch : ARCHITECTURES) {
            for (String check : List.of("teacher-forced logits", "loss (bits)", "greedy continuation tokens")) {
                assertTrue(o.has(arch + ".safetensors " + check), arch + " " + check + ":\n" + o.printed());
            }
        }
        assertTrue(o.has("single_enc_dec.pth.tar teacher-forced logits"), o.printed());
        assertTrue(o.has("single_enc_dec.pth.tar greedy continuation tokens"), o.printed());
        assertEquals(o.checks().size(), o.printed().lines().filter(l -> l.startsWith("PASS ")).count(), o.printed());
    }

    /**
     * One weight moved in each architecture's lyrics path: an element of the lyrics attention layer's
     * projection (single_enc_dec, layer 15) and of the lyrics encoder's token embedding (sep_enc_dec, which
     * reaches the music only through encoder-decoder attention). Their music logits must fail.
     */
    @Test
    void perturbedLyricsWeightsFail(@TempDir Path tmp) throws IOException {
        Files.copy(fixture.dir().resolve("config.json"), tmp.resolve("config.json"));
        Files.copy(fixture.dir().resolve("cases.safetensors"), tmp.resolve("cases.safetensors"));
        perturb("prior_single_enc_dec.safetensors", "prior.transformer._attn_mods.15.attn.c_attn.w", tmp);
        perturb("prior_sep_enc_dec.safetensors", "prime_prior.x_emb.weight", tmp);

        Outcome o = run(tmp);
        assertFalse(o.passed(), o.printed());
        List<String> failed = o.checks().stream().filter(c -> !c.passed()).map(Verdict::name).toList();
        assertTrue(failed.contains("single_enc_dec.safetensors teacher-forced logits"), o.printed());
        assertTrue(failed.contains("sep_enc_dec.safetensors teacher-forced logits"), o.printed());
        assertTrue(o.printed().lines().anyMatch(l -> l.startsWith("FAIL sep_enc_dec.safetensors teacher-forced")),
                o.printed());
    }

    /**
     * A fixture set that also carries {@code NAME.greedy.logits} (the logits along the greedy path, as the
     * instrumental fixtures do) gets that check too. The expected values here are the teacher-forced logits
     * of the reference's greedy sequence, computed by the chunk-free forward pass; the runner's come from
     * the chunked prefill and the cached steps, so the check compares the two paths on the lyrics priors.
     */
    @Test
    void greedyPathLogitsAreCheckedWhenPresent(@TempDir Path tmp) throws IOException {
        for (String f : List.of("config.json", "prior_single_enc_dec.safetensors", "prior_sep_enc_dec.safetensors")) {
            Files.copy(fixture.dir().resolve(f), tmp.resolve(f));
        }
        dev.segue.engine.config.ModelConfig config = dev.segue.engine.config.ModelConfig.load(
                fixture.dir().resolve("config.json"));
        try (SafetensorsFile cases = SafetensorsFile.open(fixture.dir().resolve("cases.safetensors"))) {
            List<TensorEntry> out = new ArrayList<>();
            for (String name : cases.names()) {
                out.add(cases.get(name));
            }
            for (String arch : ARCHITECTURES) {
                out.add(teacherForcedOnGreedyPath(config, arch, cases));
            }
            SafetensorsWriter.write(tmp.resolve("cases.safetensors"), out, cases.metadata());
        }
        Outcome o = run(tmp);
        assertTrue(o.passed(), o.printed());
        for (String arch : ARCHITECTURES) {
            assertTrue(o.has(arch + ".safetensors greedy prefill+cached-step logits"), o.printed());
        }
    }

    private static TensorEntry teacherForcedOnGreedyPath(dev.segue.engine.config.ModelConfig config, String arch,
                                                         SafetensorsFile cases) {
        var pc = config.named().get(arch);
        int batch = (int) cases.get(arch + ".z").shape()[0];
        long[][] music = Compare.rows(cases.get(arch + ".greedy.tokens").toLongs(), batch);
        long[][] y = Compare.rows(cases.get(arch + ".y").toLongs(), batch);
        try (var weights = dev.segue.engine.checkpoint.Checkpoints.open(
                     fixture.dir().resolve("prior_" + arch + ".safetensors"));
             NDManager m = fixture.root().newSubManager();
             var prior = new dev.segue.engine.prior.Prior(pc, config.vqvae(), weights, m)) {
            List<dev.segue.engine.prior.LabelRow> labels = new ArrayList<>();
            long[] previous = new long[batch * prior.contextLength()];
            for (int i = 0; i < batch; i++) {
                var l = dev.segue.engine.prior.LabelRow.fromRow(y[i], pc.maxBowGenreSize(), pc.nTokens());
                labels.add(l);
                long[] seq = prior.lyricPrefix() > 0 ? prior.jointSequence(l.lyrics(), music[i]) : music[i];
                for (int t = 1; t < seq.length; t++) {
                    previous[i * seq.length + t] = seq[t - 1];
                }
            }
            var cond = prior.condition(m, batch, labels, null);
            try (var cache = prior.newCache(m, batch)) {
                float[] logits = prior.forward(cache, cond, m.create(previous,
                        new ai.djl.ndarray.types.Shape(batch, prior.contextLength())), 0).toFloatArray();
                ByteBuffer buf = ByteBuffer.allocate(4 * logits.length).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(logits);
                return new TensorEntry(arch + ".greedy.logits", dev.segue.engine.checkpoint.DType.F32,
                        new long[] {batch, prior.contextLength(), prior.bins()}, buf);
            }
        }
    }

    /** Copies {@code file} into {@code dir} with every 7th element of {@code tensor} moved by +1. */
    private static void perturb(String file, String tensor, Path dir) throws IOException {
        try (SafetensorsFile in = SafetensorsFile.open(fixture.dir().resolve(file))) {
            List<TensorEntry> out = new ArrayList<>();
            boolean found = false;
            for (String name : in.names()) {
                TensorEntry e = in.get(name);
                if (name.equals(tensor)) {
                    ByteBuffer copy = ByteBuffer.allocate(e.data().remaining()).order(ByteOrder.LITTLE_ENDIAN);
                    copy.put(e.data()).flip();
                    for (int i = 0; i < e.elementCount(); i += 7) {
                        copy.putFloat(4 * i, copy.getFloat(4 * i) + 1f);
                    }
                    e = new TensorEntry(name, e.dtype(), e.shape(), copy);
                    found = true;
                }
                out.add(e);
            }
            assertTrue(found, tensor + " not in " + file);
            SafetensorsWriter.write(dir.resolve(file), out, in.metadata());
        }
    }
}
