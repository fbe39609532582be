package dev.segue.engine.prior;

import ai.djl.ndarray.NDArray;

/**
 * What a prior is conditioned on for one window: the start embedding (B, W) that replaces the first
 * input token, the per-position conditioning (B, sequence, W) added to every input and output (timing
 * for the top prior, zero over the lyric tokens of a joint lyrics sequence, upsampled upper codes for the
 * upsamplers) or null when there is none, and the lyrics encoder's states (B, n_tokens, W) that the
 * encoder-decoder layers attend to, or null for a prior without a separate lyrics encoder.
 *
 * <p>A repeat of each row ({@link #repeatEachRow}, one prefilled row becoming its takes) is recorded, not
 * done, as {@link KvCache} records its own: the CPU step kernel reads each take's row as row
 * {@code take / pendingRepeat()} of the stored arrays, so four takes of one prime hold the per-position
 * conditioning once (53 MB a row for the 1b_lyrics top prior), not four times. DJL's forward gets the
 * repeated arrays, made on first use.
 */
public final class Conditioning {
    private final NDArray start;
    private final NDArray perPosition;
    private final NDArray encoderStates;
    private final int repeat;
    /** The repeated start, per-position conditioning and encoder states, each made on first use. */
    private final NDArray[] repeated = new NDArray[3];

    public Conditioning(NDArray start, NDArray perPosition, NDArray encoderStates) {
        this(start, perPosition, encoderStates, 1);
    }

    public Conditioning(NDArray start, NDArray perPosition) {
        this(start, perPosition, null);
    }

    private Conditioning(NDArray start, NDArray perPosition, NDArray encoderStates, int repeat) {
        this.start = start;
        this.perPosition = perPosition;
        this.encoderStates = encoderStates;
        this.repeat = repeat;
    }

    public int batch() {
        return (int) start.getShape().get(0) * repeat;
    }

    /** The start embedding, (batch, W). */
    public NDArray start() {
        return repeated(0, start);
    }

    /** The per-position conditioning, (batch, sequence, W), or null. */
    public NDArray perPosition() {
        return repeated(1, perPosition);
    }

    /** The lyrics encoder's states, (batch, n_tokens, W), or null. */
    public NDArray encoderStates() {
        return repeated(2, encoderStates);
    }

    /** {@code stored} with each row repeated {@link #pendingRepeat()} times, made once, on first use. */
    private NDArray repeated(int which, NDArray stored) {
        if (repeat == 1 || stored == null) {
            return stored;
        }
        if (repeated[which] == null) {
            repeated[which] = stored.repeat(0, repeat);
        }
        return repeated[which];
    }

    /** Each row repeated {@code times} times in place, as {@link KvCache#repeatEachRow} repeats the cache. */
    public Conditioning repeatEachRow(int times) {
        if (times < 1) {
            throw new IllegalArgumentException("rows must be repeated at least once, got " + times);
        }
        if (times == 1) {
            return this;
        }
        return new Conditioning(start, perPosition, encoderStates, repeat * times);
    }

    /** How many takes each stored row stands for. */
    int pendingRepeat() {
        return repeat;
    }

    /** The per-position conditioning as stored, one row per {@link #pendingRepeat()} takes, or null. */
    NDArray storedPerPosition() {
        return perPosition;
    }
}
