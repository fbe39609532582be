package dev.segue.engine.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint that cannot be used, with the file and (where known) the tensor named, so a producer who
 * points Segue at a damaged or mismatched file learns which one and why, instead of a JVM crash.
 */
public class CheckpointException extends RuntimeException {
    private final Path file;
    private final String tensor;
    private final String problem;

    public CheckpointException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public CheckpointException(Path file, String tensor, String problem, Throwable cause) {
        super(describe(file, tensor, problem), cause);
        this.file = file;
        this.tensor = tensor;
        this.problem = problem;
    }

    /** What is wrong, without the file and tensor. */
    public String problem() {
        return problem;
    }

    private static String describe(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<unknown file>" : file.toString());
        if (tensor != null) {
            sb.append(": tensor '").append(tensor).append('\'');
        }
        return sb.append(": ").append(problem).toString();
    }

    public Path file() {
        return file;
    }

    public String tensor() {
        return tensor;
    }
}
