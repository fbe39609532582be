package dev.segue.engine.train;

import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.checkpoint.SafetensorsWriter;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.WeightStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A stage's resumable state in one safetensors file: the weights under their reference names, optimizer
 * moments and codebook statistics under {@code adam.*} / {@code ema.*}, the step in the metadata. It is
 * written to a temporary file and renamed, so an interrupted save leaves the previous state intact.
 */
final class StateFile {
    private StateFile() {}

    static Path path(Path out, String stage) {
        return out.resolve(stage + ".state.safetensors");
    }

    static void save(Path file, String stage, int level, long step, long seed, List<TensorEntry> tensors)
            throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafetensorsWriter.write(file, tensors, Map.of("format", "segue-training-state", "stage", stage,
                "level", Integer.toString(level), "step", Long.toString(step), "seed", Long.toString(seed)));
    }

    /** The saved state, or null when there is none. */
    static SafetensorsFile open(Path file) {
        return Files.isRegularFile(file) ? (SafetensorsFile) Checkpoints.open(file) : null;
    }

    /**
     * The step a saved state of {@code stage} at {@code level} reached. A state saved without its level is a top
     * level's ({@code top}), as every state was before lower levels trained; a state of another level is refused,
     * so that one folder's stages never resume each other.
     */
    static long step(SafetensorsFile state, String stage, int level, int top) {
        Map<String, String> meta = state.metadata();
        if (!stage.equals(meta.get("stage")) || meta.get("step") == null) {
            throw new IllegalArgumentException(state.path() + " is not a " + stage + " training state");
        }
        String saved = meta.getOrDefault("level", Integer.toString(top));
        if (!saved.equals(Integer.toString(level))) {
            throw new IllegalArgumentException(state.path() + " holds the " + stage + " state of level " + saved
                    + ", not of level " + level + ": train level " + level + " into another --out, or pass --fresh");
        }
        return Long.parseLong(meta.get("step"));
    }

    /** Writes model weights (the files the engine loads) atomically. */
    static void exportWeights(Path file, List<TensorEntry> tensors, String stage, long step) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafetensorsWriter.write(file, tensors, Map.of("format", "jukebox-state-dict", "trained-by", "segue train",
                "stage", stage, "step", Long.toString(step)));
    }

    static WeightStore weightsOrInit(SafetensorsFile state, long seed) {
        return state != null ? state : new TrainingInit(seed, 1.0);
    }
}
