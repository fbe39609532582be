package dev.segue.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.ParameterSet;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.WeightStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adam with bias correction over a set of named parameters, its moments kept as NDArrays so they can be
 * saved and restored with the weights (DJL's built-in optimizer keeps them private). Updates are written
 * through a detached view of each parameter: the same storage, outside the autograd graph.
 */
final class Adam implements AutoCloseable {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
    private long steps;

    /** Over {@code names} of {@code set} (the others stay frozen); gradients are attached here. */
    Adam(NDManager parent, ParameterSet set, Set<String> names) {
        this.manager = parent.newSubManager();
        for (String name : names) {
            NDArray p = set.get(name);
            p.setRequiresGradient(true);
            params.put(name, p);
            firstMoment.put(name, manager.zeros(p.getShape()));
            secondMoment.put(name, manager.zeros(p.getShape()));
        }
    }

    Set<String> names() {
        return params.keySet();
    }

    long steps() {
        return steps;
    }

    /**
     * One update from the gradients of the last backward, then zeroes them (torch accumulates). Gradients
     * are clipped to a global norm of {@code clipNorm} first (0 = no clipping); returns the norm before.
     * A non-finite norm skips the update (weights and moments untouched) and is returned as it is.
     */
    double step(double learningRate, double clipNorm) {
        steps++;
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> grads = new LinkedHashMap<>();
            double sq = 0;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray g = e.getValue().getGradient();
                g.attach(scope);
                grads.put(e.getKey(), g);
                sq += g.square().sum().getFloat();
            }
            double norm = Math.sqrt(sq);
            if (!Double.isFinite(norm)) {
                // A non-finite gradient (seen once in 3,677 prior steps) would turn every weight and both
                // moments into NaN for good: skip the update, as mixed-precision trainers do, and say so.
                steps--;
                System.err.println("train: skipped an update: the gradient norm is " + norm);
                for (NDArray g : grads.values()) {
                    // Through indexing (stride-aware, unlike a raw copy in): NaN * 0 would stay NaN.
                    g.set(new ai.djl.ndarray.index.NDIndex("{}", g.isNaN().logicalOr(g.isInfinite())), 0f);
                    g.muli(0f);
                }
                return norm;
            }
            double factor = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1.0;
            // Scalars as float: a double operand would promote the float32 tensors to float64.
            float c1 = (float) (1 - Math.pow(BETA1, steps));
            float c2 = (float) (1 - Math.pow(BETA2, steps));
            float lr = (float) learningRate;
            float scale = (float) factor;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                String name = e.getKey();
                NDArray g = grads.get(name);
                NDArray clipped = factor == 1.0 ? g : g.mul(scale);
                NDArray m = firstMoment.get(name);
                NDArray v = secondMoment.get(name);
                m.muli(BETA1).addi(clipped.mul(1 - BETA1));
                v.muli(BETA2).addi(clipped.square().mul(1 - BETA2));
                // Results of ops on the moments land on the moments' manager: move each to the scope.
                NDArray mHat = scoped(m.div(c1), scope);
                NDArray denominator = scoped(scoped(scoped(v.div(c2), scope).sqrt(), scope).add(EPS), scope);
                NDArray update = scoped(scoped(mHat.div(denominator), scope).mul(lr), scope);
                NDArray storage = e.getValue().stopGradient();
                storage.attach(scope);
                storage.subi(update);
                g.subi(g);
            }
            return norm;
        }
    }

    private static NDArray scoped(NDArray a, NDManager scope) {
        a.attach(scope);
        return a;
    }

    /** Moments as tensors named {@code adam.m.<param>} / {@code adam.v.<param>}. */
    void appendState(List<TensorEntry> out) {
        for (String name : params.keySet()) {
            out.add(ParameterSet.entry("adam.m." + name, firstMoment.get(name)));
            out.add(ParameterSet.entry("adam.v." + name, secondMoment.get(name)));
        }
    }

    /** Restores moments saved by {@link #appendState} after {@code steps} updates. */
    void restore(WeightStore store, long steps) {
        restore(store, steps, java.util.Set.of());
    }

    /** As above; parameters named in {@code fresh} are new since the state was saved and keep zero moments. */
    void restore(WeightStore store, long steps, java.util.Set<String> fresh) {
        try (NDManager scope = manager.newSubManager()) {
            for (String name : params.keySet()) {
                if (fresh.contains(name)) {
                    continue;
                }
                NDArray m = firstMoment.get(name);
                NDArray v = secondMoment.get(name);
                EmaCodebook.overwrite(m, scope.create(store.get("adam.m." + name).toFloats(), m.getShape()));
                EmaCodebook.overwrite(v, scope.create(store.get("adam.v." + name).toFloats(), v.getShape()));
            }
        }
        this.steps = steps;
    }

    @Override
    public void close() {
        manager.close();
    }
}
