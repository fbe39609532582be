package dev.segue.engine.checkpoint;

import java.nio.file.Path;

/** Opens a checkpoint by its file name: safetensors, or a torch {@code .pth.tar}/{@code .pt}/{@code .pth}. */
public final class Checkpoints {
    private Checkpoints() {}

    public static WeightStore open(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".safetensors")) {
            return SafetensorsFile.open(file);
        }
        if (name.endsWith(".pth.tar") || name.endsWith(".pth") || name.endsWith(".pt") || name.endsWith(".tar")) {
            return TorchCheckpointReader.open(file);
        }
        throw new CheckpointException(file, null, "unknown checkpoint format (expected .safetensors or .pth.tar)");
    }
}
