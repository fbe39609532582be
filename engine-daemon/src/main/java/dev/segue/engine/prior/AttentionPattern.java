package dev.segue.engine.prior;

import dev.segue.engine.config.ConfigException;

/**
 * Which earlier positions a query may attend to, for Jukebox's factorized attention. The sequence of n_ctx
 * tokens is viewed as blocks of {@code blockCtx}: a row attends within its block, a column attends to the
 * same offset in every earlier block, previous-block attends to the whole block before. {@code attn_order}
 * cycles these per layer.
 */
public enum AttentionPattern {
    DENSE(0),
    BLOCK(1),
    TRANSPOSE_BLOCK(2),
    PREVIOUS_BLOCK(3);

    private final int referenceId;

    AttentionPattern(int referenceId) {
        this.referenceId = referenceId;
    }

    /** The reference's {@code attn_func} number. */
    public int referenceId() {
        return referenceId;
    }

    /** The reference attention type that an encoder-decoder layer (lyrics encoder keys/values) has. */
    public static final int ENCODER_DECODER_TYPE = 6;
    /** The reference attention type of a layer whose music queries attend to the lyric tokens of the sequence. */
    public static final int LYRICS_TYPE = 7;

    /**
     * The self-attention pattern of layer {@code depth} under {@code attnOrder}, as the reference's table
     * cycles them. Layers of the lyrics types (6, 7) are built by {@link Transformer} from
     * {@link #referenceType}; here they are errors like the summary types 4 and 5.
     */
    public static AttentionPattern forLayer(int attnOrder, int depth) {
        int func = referenceType(attnOrder, depth);
        for (AttentionPattern p : values()) {
            if (p.referenceId == func) {
                return p;
            }
        }
        if (func == ENCODER_DECODER_TYPE || func == LYRICS_TYPE) {
            throw new ConfigException("attn_order " + attnOrder + " has " + (func == LYRICS_TYPE ? "lyrics" : "encoder-"
                    + "decoder") + " attention (type " + func + ") at layer " + depth + ", not a self-attention pattern; "
                    + "only a lyrics prior's transformer builds such layers");
        }
        throw new ConfigException("attn_order " + attnOrder + " needs attention type " + func + " at layer " + depth
                + " (summary attention), which this engine does not implement yet");
    }

    /** The reference's {@code attn_func} number of layer {@code depth} under {@code attnOrder}. */
    public static int referenceType(int attnOrder, int depth) {
        return switch (attnOrder) {
            case 0 -> 0;
            case 1 -> new int[] {1, 2}[depth % 2];
            case 2 -> new int[] {1, 2, 3}[depth % 3];
            case 3 -> new int[] {1, 4}[depth % 2];
            case 4 -> new int[] {1, 5}[depth % 2];
            case 5 -> new int[] {1, 4, 1, 1}[depth % 4];
            case 6 -> new int[] {1, 2, 3, 6}[depth % 4];
            case 7 -> depth % 16 == 15 ? 6 : new int[] {1, 2, 3}[depth % 16 % 3];
            case 8 -> new int[] {1, 2, 3, 1, 2, 3, 1, 2, 3, 6}[depth % 10];
            case 9 -> new int[] {1, 2, 3, 0}[depth % 4];
            // 79-layer cycle: row/column/previous-row three times, then seven rounds of three with a type 6.
            case 10 -> depth % 79 < 9 ? new int[] {1, 2, 3}[depth % 79 % 3]
                    : (depth % 79 - 9) % 10 == 9 ? 6 : new int[] {1, 2, 3}[(depth % 79 - 9) % 10 % 3];
            case 11 -> depth % 16 == 15 ? new int[] {6, 6, 0}[depth % 3] : new int[] {1, 2, 3}[depth % 3];
            case 12 -> depth % 16 == 15 ? new int[] {7, 7, 0}[depth % 3] : new int[] {1, 2, 3}[depth % 3];
            default -> throw new ConfigException("attn_order " + attnOrder + " is not supported");
        };
    }

    /** Whether query position {@code q} sees key position {@code k} (both within the window). */
    public boolean allows(int q, int k, int blockCtx) {
        return switch (this) {
            case DENSE -> k <= q;
            case BLOCK -> k <= q && k / blockCtx == q / blockCtx;
            case TRANSPOSE_BLOCK -> k <= q && k % blockCtx == q % blockCtx;
            case PREVIOUS_BLOCK -> k / blockCtx == q / blockCtx - 1;
        };
    }

    /**
     * The first key position any query in [{@code start}, {@code end}) may see, so that a chunk attends to
     * a suffix of the cache instead of all of it.
     */
    public int firstKey(int start, int blockCtx) {
        return switch (this) {
            case DENSE, TRANSPOSE_BLOCK -> 0;
            case BLOCK -> start / blockCtx * blockCtx;
            case PREVIOUS_BLOCK -> Math.max(0, (start / blockCtx - 1) * blockCtx);
        };
    }

    /**
     * Keys of a single query at position {@code q}: {start, stop, step} over cache positions, or null when
     * it sees none (previous-block attention in the first block, whose output the reference makes zero).
     */
    public int[] stepKeys(int q, int blockCtx) {
        return switch (this) {
            case DENSE -> new int[] {0, q + 1, 1};
            case BLOCK -> new int[] {q / blockCtx * blockCtx, q + 1, 1};
            case TRANSPOSE_BLOCK -> new int[] {q % blockCtx, q + 1, blockCtx};
            case PREVIOUS_BLOCK -> q < blockCtx ? null
                    : new int[] {(q / blockCtx - 1) * blockCtx, q / blockCtx * blockCtx, 1};
        };
    }
}
