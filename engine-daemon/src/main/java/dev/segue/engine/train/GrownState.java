package dev.segue.engine.train;

import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.WeightStore;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A saved training state read by a model that has gained parameters since (a top prior given a beat clock):
 * the state's tensors as saved, and the new parameters initialised as a fresh run would. {@link #added()}
 * names the new ones, so the optimizer starts their moments at zero and the log says what was grown.
 */
final class GrownState implements WeightStore {
    private final WeightStore state;
    private final TrainingInit init;
    private final Set<String> added = new LinkedHashSet<>();

    GrownState(WeightStore state, long seed) {
        this.state = state;
        this.init = new TrainingInit(seed, 1.0);
    }

    /** Parameters the state did not hold, initialised here, in the order the model asked for them. */
    Set<String> added() {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(added));
    }

    @Override
    public Path path() {
        return state.path();
    }

    @Override
    public Set<String> names() {
        Set<String> all = new LinkedHashSet<>(state.names());
        all.addAll(added);
        return all;
    }

    @Override
    public boolean contains(String name) {
        return state.contains(name) || init.contains(name);
    }

    @Override
    public TensorEntry get(String name) {
        return state.get(name);
    }

    @Override
    public TensorEntry get(String name, long[] expectedShape) {
        if (state.contains(name)) {
            return state.get(name, expectedShape);
        }
        added.add(name);
        return init.get(name, expectedShape);
    }

    @Override
    public void close() {
        // The state is the caller's to close.
    }
}
