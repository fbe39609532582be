package dev.segue.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.ParameterSet;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.nn.Embeddings;
import java.util.List;

/**
 * One level's codebook trained as Jukebox trains it: not by gradients but as exponential moving averages
 * of the encoder outputs assigned to each code ({@code k_sum / k_elem}), and any code whose average usage
 * falls below a threshold is restarted on a random encoder output of the current batch, so codes that fell
 * out of use come back where the data is. The codebook array itself is the model's parameter {@code k}, so
 * the saved weights are what the inference {@code Bottleneck} loads.
 */
final class EmaCodebook implements AutoCloseable {
    /**
     * EMA decay of the code statistics. The reference's 0.99 spans a few hundred steps, most of a CPU run
     * here; at 0.95 a code unused for about 55 steps counts as dead and is restarted within the run.
     */
    private static final float DECAY = 0.95f;
    /**
     * A code is dead when its average assignments per step fall below this fraction of the mean per code.
     * The reference uses an absolute 1.0 with batches of ~10^4 latents per step; with the few hundred a
     * CPU step holds, an absolute threshold would call nearly every code dead, so it is relative here.
     */
    private static final float DEAD_FRACTION = 0.05f;

    private final NDManager manager;
    private final NDArray k;       // (bins, emb): the model's own parameter, updated in place
    private final NDArray kSum;    // (bins, emb)
    private final NDArray kElem;   // (bins)
    private final int bins;
    private final int emb;
    private boolean initialised;
    private float deadRestarted;

    EmaCodebook(NDManager parent, NDArray codebook) {
        this.manager = parent.newSubManager();
        this.k = codebook;
        this.bins = (int) codebook.getShape().get(0);
        this.emb = (int) codebook.getShape().get(1);
        this.kSum = manager.zeros(new Shape(bins, emb));
        this.kElem = manager.zeros(new Shape(bins));
    }

    /** Result of one quantisation: codes (N*T), quantised latents (N, emb, T), commitment and usage stats. */
    record Quantised(NDArray codes, NDArray latents, NDArray commitLoss, float usedCodes, float perplexity) {}

    /**
     * Nearest codes for encoder output {@code z} (N, emb, T). The latents returned pass the decoder's
     * gradient straight through to {@code z}; the commitment loss pulls {@code z} towards its codes. When
     * {@code update} is set the codebook takes one EMA step and restarts dead codes.
     */
    Quantised quantise(NDArray z, boolean update) {
        NDManager m = z.getManager();
        long n = z.getShape().get(0);
        long t = z.getShape().get(2);
        NDArray flat = z.transpose(0, 2, 1).reshape(n * t, emb);
        NDArray x = flat.stopGradient();
        x.attach(m);
        float meanUsage = (float) (n * t) / bins;
        if (!initialised && update) {
            NDArray rows = randomRows(x);
            overwrite(kView(m), rows);
            overwrite(kSum, rows.mul(meanUsage));
            overwrite(kElem, m.create(fill(meanUsage)));
            initialised = true;
        }
        NDArray kView = kView(m);
        NDArray distance = x.square().sum(new int[] {1}, true).sub(x.matMul(kView.transpose()).mul(2))
                .add(kView.square().sum(new int[] {1}).reshape(1, bins));
        NDArray codes = distance.argMin(1);
        NDArray q = Embeddings.lookup(kView, codes);
        NDArray commit = flat.sub(q).square().mean();
        NDArray onehot = codes.oneHot(bins, DataType.FLOAT32);
        NDArray counts = onehot.sum(new int[] {0});
        float[] c = counts.toFloatArray();
        double used = 0;
        double entropy = 0;
        for (float v : c) {
            if (v > 0) {
                used++;
                double p = v / (double) (n * t);
                entropy -= p * Math.log(p);
            }
        }
        if (update) {
            // Through views on the step's manager: results of ops on the EMA state itself would land on its
            // long-lived manager and stay there (about 3 MB a step at 2048 x 64).
            NDArray sum = onStep(kSum, m);
            NDArray elem = onStep(kElem, m);
            sum.muli(DECAY).addi(onehot.transpose().matMul(x).mul(1 - DECAY));
            elem.muli(DECAY).addi(counts.mul(1 - DECAY));
            NDArray fresh = sum.div(elem.reshape(bins, 1).maximum(1e-6f));
            NDArray alive = elem.gte(DEAD_FRACTION * meanUsage).toType(DataType.FLOAT32, false).reshape(bins, 1);
            NDArray restarted = fresh.mul(alive).add(randomRows(x).mul(alive.neg().add(1f)));
            overwrite(kView, restarted);
            // Restarted codes start at the mean usage, so they get a few hundred steps to attract data
            // before they could count as dead again (the reference keeps restarting them every step).
            NDArray aliveFlat = alive.reshape(bins);
            NDArray usage = elem.mul(aliveFlat).add(aliveFlat.neg().add(1f).mul(meanUsage));
            overwrite(sum, restarted.mul(usage.reshape(bins, 1)));
            overwrite(elem, usage);
            deadRestarted = bins - alive.sum().getFloat();
        }
        NDArray straight = flat.add(q.sub(flat).stopGradient());
        NDArray latents = straight.reshape(n, t, emb).transpose(0, 2, 1);
        return new Quantised(codes, latents, commit, (float) used, (float) Math.exp(entropy));
    }

    /** The codebook's storage outside the autograd graph, owned by {@code m}. */
    private NDArray kView(NDManager m) {
        return onStep(k, m);
    }

    /** A view of {@code a}'s storage owned by {@code m}: writes through it change {@code a}, and it goes with m. */
    private static NDArray onStep(NDArray a, NDManager m) {
        NDArray view = a.stopGradient();
        view.attach(m);
        return view;
    }

    private float[] fill(float value) {
        float[] o = new float[bins];
        java.util.Arrays.fill(o, value);
        return o;
    }

    /** Codes restarted by the last update. */
    float lastRestarts() {
        return deadRestarted;
    }

    /** {@code bins} rows drawn from {@code x}, tiled with a little noise when the batch has fewer rows. */
    private NDArray randomRows(NDArray x) {
        NDManager m = x.getManager();
        long rows = x.getShape().get(0);
        NDArray source = x;
        if (rows < bins) {
            long repeats = (bins + rows - 1) / rows;
            float std = 0.01f / (float) Math.sqrt(emb);
            source = x.repeat(0, repeats);
            source = source.add(m.randomNormal(0f, std, source.getShape(), DataType.FLOAT32));
        }
        NDArray perm = m.randomPermutation(source.getShape().get(0)).get(":{}", bins);
        return source.get(perm);
    }

    void appendState(String prefix, List<TensorEntry> out) {
        out.add(ParameterSet.entry(prefix + ".k_sum", kSum));
        out.add(ParameterSet.entry(prefix + ".k_elem", kElem));
    }

    void restore(String prefix, WeightStore store) {
        try (NDManager scope = manager.newSubManager()) {
            overwrite(kSum, scope.create(store.get(prefix + ".k_sum").toFloats(), kSum.getShape()));
            overwrite(kElem, scope.create(store.get(prefix + ".k_elem").toFloats(), kElem.getShape()));
        }
        initialised = true;
    }

    /**
     * Writes {@code values} into {@code target}'s existing storage. In-place arithmetic, not
     * {@code NDArray.set}: DJL's set swaps in a new buffer, which a detached view of the codebook would
     * then no longer share with the model's parameter.
     */
    static void overwrite(NDArray target, NDArray values) {
        target.muli(0f).addi(values);
    }

    @Override
    public void close() {
        manager.close();
    }
}
