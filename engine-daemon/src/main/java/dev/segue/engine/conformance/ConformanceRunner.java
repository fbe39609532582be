package dev.segue.engine.conformance;

import dev.segue.engine.monitor.Monitor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.CheckpointException;
import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.ConfigException;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.KvCache;
import dev.segue.engine.prior.LabelRow;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.prior.TeacherForcing;
import dev.segue.engine.sampling.PrimedSampler;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.vqvae.VqVae;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the model code against a directory of reference outputs laid out like
 * {@code conformance/jukebox-ref/}: every weight form present (safetensors, .pth.tar) of every model, every
 * case in {@code cases.safetensors}. Nothing here knows a particular fixture: sizes, batch and levels come
 * from the directory's config and tensors.
 */
public final class ConformanceRunner {
    static final double CODE_AGREEMENT = 0.99;
    static final double AUDIO_TOLERANCE = 1e-4;
    static final double LOGIT_TOLERANCE = 1e-3;
    /** Queries per teacher-forced chunk: bounds the (queries x keys) score matrix for large n_ctx. */
    private static final int TEACHER_FORCED_CHUNK = 1024;
    private static final String[] FORMS = {".safetensors", ".pth.tar"};

    private final Path dir;
    private final PrintStream out;
    private final WeightFormat format;
    private final List<Verdict> checks = new ArrayList<>();

    /** Checks with every prior matrix held in fp32. */
    public ConformanceRunner(Path dir, PrintStream out) {
        this(dir, out, WeightFormat.FP32);
    }

    /**
     * Checks with the priors' matrices held as {@code format} says. Formats that round weights (bf16,
     * fp16) are held to {@link LogitTolerance}, and their greedy check accepts a near tie (see
     * {@link GreedyAgreement}); fp32 and as-stored are held to the reference's own tolerances.
     */
    public ConformanceRunner(Path dir, PrintStream out, WeightFormat format) {
        this.dir = dir;
        this.out = out;
        this.format = format;
    }

    /** Runs every check, printing one line each; true when all passed. */
    public boolean run(NDManager root) {
        ModelConfig config = ModelConfig.load(dir.resolve("config.json"));
        try (SafetensorsFile cases = SafetensorsFile.open(dir.resolve("cases.safetensors"))) {
            for (String form : FORMS) {
                Path vqvaeFile = dir.resolve("vqvae" + form);
                if (Files.exists(vqvaeFile) && cases.contains("vqvae.x")) {
                    guarded("vqvae" + form, () -> checkVqVae(root, config, vqvaeFile, cases, form));
                }
            }
            for (PriorConfig prior : config.priors().values()) {
                int level = prior.level();
                boolean any = false;
                for (String form : FORMS) {
                    Path file = dir.resolve("prior_level_" + level + form);
                    if (Files.exists(file) && cases.contains("prior" + level + ".logits")) {
                        any = true;
                        guarded("prior" + level + form, () -> checkPrior(root, config, prior, file, cases, form));
                    }
                }
                if (!any) {
                    record(new Verdict("prior" + level, false, "no weights or cases found for this level"));
                }
            }
            // Priors keyed by name (the lyrics fixtures): weights prior_NAME.*, cases NAME.*.
            for (var named : config.named().entrySet()) {
                String name = named.getKey();
                boolean any = false;
                for (String form : FORMS) {
                    Path file = dir.resolve("prior_" + name + form);
                    if (Files.exists(file) && cases.contains(name + ".logits")) {
                        any = true;
                        guarded(name + form, () -> checkNamedPrior(root, config, named.getValue(), file, cases, name,
                                name + form));
                    }
                }
                if (!any) {
                    record(new Verdict(name, false, "no weights or cases found for this prior"));
                }
            }
        }
        if (checks.isEmpty()) {
            record(new Verdict("fixtures", false, "nothing to check in " + dir));
        }
        return checks.stream().allMatch(Verdict::passed);
    }

    /** A model that cannot be loaded fails its own checks; the other models and forms are still checked. */
    private void guarded(String what, Runnable checks) {
        try {
            checks.run();
        } catch (CheckpointException | ConfigException | IllegalArgumentException e) {
            record(new Verdict(what, false, e.getMessage()));
        }
    }

    public List<Verdict> checks() {
        return checks;
    }

    private void record(Verdict check) {
        checks.add(check);
        out.println(check.line());
        out.flush();
    }

    private void checkVqVae(NDManager root, ModelConfig config, Path file, SafetensorsFile cases, String form) {
        try (WeightStore store = Checkpoints.open(file); NDManager m = root.newSubManager();
             VqVae vqvae = new VqVae(config.vqvae(), store, m)) {
            TensorEntry x = cases.get("vqvae.x");
            long[] shape = x.shape();
            NDArray audio = m.create(x.toFloats(), new Shape(shape[0], shape[1]));
            for (int level = 0; level < config.vqvae().levels(); level++) {
                String codesName = "vqvae.z" + level;
                if (!cases.contains(codesName)) {
                    continue;
                }
                long[] expected = cases.get(codesName).toLongs();
                try (NDManager step = m.newSubManager()) {
                    NDArray a = audio.duplicate();
                    a.attach(step);
                    long[] codes = vqvae.encode(a, level).toLongArray();
                    double agree = Compare.fractionEqual(codes, expected);
                    record(new Verdict("vqvae" + form + " encode level " + level, agree >= CODE_AGREEMENT,
                            String.format("codes identical %.4f%% (need >= %.0f%%)", 100 * agree, 100 * CODE_AGREEMENT)));
                }
                String decodedName = "vqvae.decode_from_level" + level;
                if (cases.contains(decodedName)) {
                    TensorEntry ref = cases.get(decodedName);
                    try (NDManager step = m.newSubManager()) {
                        NDArray z = step.create(expected, new Shape(shape[0], expected.length / shape[0]));
                        float[] decoded = vqvae.decode(z, level).toFloatArray();
                        double err = Compare.maxAbsError(decoded, ref.toFloats());
                        record(new Verdict("vqvae" + form + " decode from level " + level, err <= AUDIO_TOLERANCE,
                                String.format("max abs error %.3e (tolerance %.0e)", err, AUDIO_TOLERANCE)));
                    }
                }
            }
        }
    }

    private void checkNamedPrior(NDManager root, ModelConfig config, PriorConfig pc, Path file, SafetensorsFile cases,
                                 String key, String label) {
        if (pc.usesLyrics()) {
            new LyricsPriorChecks(this::record, format).check(root, config, pc, file, cases, key, label);
        } else {
            checkPrior(root, config, pc, file, cases, key, label);
        }
    }

    private void checkPrior(NDManager root, ModelConfig config, PriorConfig pc, Path file, SafetensorsFile cases,
                            String form) {
        checkNamedPrior(root, config, pc, file, cases, "prior" + pc.level(), "prior" + pc.level() + form);
    }

    private void checkPrior(NDManager root, ModelConfig config, PriorConfig pc, Path file, SafetensorsFile cases,
                            String key, String label) {
        try (WeightStore store = Checkpoints.open(file); NDManager m = root.newSubManager();
             Prior prior = new Prior(pc, config.vqvae(), store, m, format)) {
            long[] zFlat = cases.get(key + ".z").toLongs();
            int batch = (int) cases.get(key + ".z").shape()[0];
            long[][] z = Compare.rows(zFlat, batch);
            List<LabelRow> labels = cases.contains(key + ".y") ? labelRows(cases.get(key + ".y"), batch, pc) : null;
            long[][] upper = cases.contains(key + ".z_cond") ? Compare.rows(cases.get(key + ".z_cond").toLongs(), batch)
                    : null;
            int n = z[0].length;

            // Teacher-forced logits over the whole window.
            float[] logits = new float[batch * n * prior.bins()];
            try (NDManager step = m.newSubManager()) {
                NDArray up = upper == null ? null : step.create(Compare.flatten(upper), new Shape(batch, upper[0].length));
                var cond = prior.condition(step, batch, labels, up);
                try (KvCache cache = prior.newCache(step, batch)) {
                    TeacherForcing.run(prior, step, cache, cond, z, 0, n, TEACHER_FORCED_CHUNK,
                            (start, c, part) -> scatter(part.toFloatArray(), logits, batch, c, start, n, prior.bins()));
                }
            }
            float[] reference = cases.get(key + ".logits").toFloats();
            LogitTolerance tol = LogitTolerance.of(format, pc, reference);
            double err = Compare.maxAbsError(logits, reference);
            record(new Verdict(label + " teacher-forced logits", err <= tol.value(),
                    String.format("max abs error %.3e (%s)", err, tol.describe())));
            if (cases.contains(key + ".loss_bits")) {
                double bits = crossEntropyBits(logits, zFlat, prior.bins());
                double expected = cases.get(key + ".loss_bits").toFloats()[0];
                double diff = Math.abs(bits - expected);
                record(new Verdict(label + " loss (bits)", diff <= tol.lossBits(),
                        String.format("%.6f vs %.6f, error %.3e (tolerance %.3e)", bits, expected, diff, tol.lossBits())));
            }
            if (cases.contains(key + ".greedy.prime")) {
                checkGreedy(m, prior, cases, key, label, batch, labels, upper, n, tol);
            }
        }
    }

    private void checkGreedy(NDManager m, Prior prior, SafetensorsFile cases, String key, String label, int batch,
                             List<LabelRow> labels, long[][] upper, int n, LogitTolerance tol) {
        long[][] prime = Compare.rows(cases.get(key + ".greedy.prime").toLongs(), batch);
        long[] expectedTokens = cases.get(key + ".greedy.tokens").toLongs();
        int total = expectedTokens.length / batch;
        int bins = prior.bins();
        float[] pathLogits = new float[batch * total * bins];
        Monitor recorder = new Monitor() {
            @Override
            public boolean wantsLogits() {
                return true;
            }

            @Override
            public void logits(int level, int position, int count, float[] values) {
                scatter(values, pathLogits, batch, count, position, total, bins);
            }
        };
        int chunk = Math.max(1, prior.config().nCtx() / 8);
        long[][] tokens = new PrimedSampler(prior).sample(m, new PrimedSampler.Request(prime, batch, total, labels,
                upper, SamplingParams.greedy(), chunk), recorder);
        GreedyAgreement agreement = new GreedyAgreement(Compare.flatten(tokens), expectedTokens, batch, pathLogits,
                bins, tol, LogitTolerance.rounds(format));
        record(agreement.tokenCheck(label + " greedy continuation tokens"));
        if (cases.contains(key + ".greedy.logits")) {
            record(agreement.logitCheck(label + " greedy prefill+cached-step logits",
                    cases.get(key + ".greedy.logits").toFloats()));
        }
    }

    private static List<LabelRow> labelRows(TensorEntry y, int batch, PriorConfig pc) {
        long[][] rows = Compare.rows(y.toLongs(), batch);
        List<LabelRow> out = new ArrayList<>();
        for (long[] row : rows) {
            out.add(LabelRow.fromRow(row, pc.maxBowGenreSize()));
        }
        return out;
    }

    /** Copies (batch, count, bins) logits into a (batch, total, bins) array at {@code position}. */
    private static void scatter(float[] part, float[] all, int batch, int count, int position, int total, int bins) {
        for (int i = 0; i < batch; i++) {
            System.arraycopy(part, i * count * bins, all, (i * total + position) * bins, count * bins);
        }
    }

    /** Mean cross-entropy in bits of the targets under (N*T, bins) logits, in double precision. */
    private static double crossEntropyBits(float[] logits, long[] targets, int bins) {
        double sum = 0;
        for (int r = 0; r < targets.length; r++) {
            int off = r * bins;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < bins; i++) {
                max = Math.max(max, logits[off + i]);
            }
            double z = 0;
            for (int i = 0; i < bins; i++) {
                z += Math.exp(logits[off + i] - max);
            }
            sum += Math.log(z) + max - logits[off + (int) targets[r]];
        }
        return sum / targets.length / Math.log(2);
    }
}
