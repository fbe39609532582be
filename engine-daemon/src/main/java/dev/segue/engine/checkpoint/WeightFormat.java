package dev.segue.engine.checkpoint;

import java.util.Locale;

/**
 * The precision a prior's large matrices (the transformer's {@code Conv1D}s, the token embedding and the
 * output projection) are held in once loaded. Everything else (layer norms, biases, position embeddings,
 * conditioners) is held in fp32 whatever the choice: it is a small share of the bytes.
 *
 * <ul>
 *   <li>{@link #AS_STORED}: each matrix in the precision its file stores it in (the published 5b top prior
 *       stores its {@code Conv1D}s as fp16, its embeddings as fp32);</li>
 *   <li>{@link #FP32}: every matrix widened to fp32, exactly as before half-precision holding existed;</li>
 *   <li>{@link #BF16}, {@link #FP16}: every matrix rounded (to nearest, ties to even) to that format.</li>
 * </ul>
 * A matrix held in fp32 uses the fp32 paths (libtorch reads its own fp32 tensor, the step kernel a blocked
 * Java copy); a matrix held in half precision is one off-heap copy both paths read (see
 * {@link dev.segue.engine.nn.HalfMatrix}).
 */
public enum WeightFormat {
    AS_STORED("as-stored"), FP32("fp32"), BF16("bf16"), FP16("fp16");

    /** The CPU default: see the engine README ("Weights in half precision") for why. */
    public static final WeightFormat CPU_DEFAULT = BF16;

    private final String word;

    WeightFormat(String word) {
        this.word = word;
    }

    /** The command-line word: {@code as-stored}, {@code fp32}, {@code bf16} or {@code fp16}. */
    public String word() {
        return word;
    }

    /** Parses a command-line word; an unknown one is an error naming the choices. */
    public static WeightFormat parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (WeightFormat f : values()) {
            if (f.word.equals(t)) {
                return f;
            }
        }
        throw new IllegalArgumentException("--weights must be one of as-stored, fp32, bf16, fp16; got '" + text + "'");
    }

    /** The element type a matrix stored as {@code stored} is held in under this format (F32, F16 or BF16). */
    public DType held(DType stored) {
        return switch (this) {
            case FP32 -> DType.F32;
            case BF16 -> DType.BF16;
            case FP16 -> DType.F16;
            case AS_STORED -> stored == DType.F16 || stored == DType.BF16 ? stored : DType.F32;
        };
    }

    @Override
    public String toString() {
        return word;
    }
}
