package dev.segue.engine.audio;

/**
 * Changes a mono signal's duration without changing its pitch, by WSOLA (waveform-similarity overlap-add):
 * output frames of {@value #FRAME_SECONDS} s are laid every half frame under a periodic Hann window, each one
 * cut from the input near where the time ratio puts it, shifted by up to {@value #SEARCH_SECONDS} s to the
 * place whose start best matches how the previous frame's input would have gone on. Matching waveforms add
 * without the phase cancellations of a plain overlap-add, so tones keep their pitch and level; a transient
 * can be placed up to the search reach away from its exact time, and a drum hit may be heard twice or its
 * tail cut when the ratio is far from 1.
 *
 * <p>Output time {@code t} comes from input time about {@code t / ratio}: time zero maps to time zero, so a
 * take stretched back still starts at the prime's last sample. A ratio of exactly 1 returns the input.
 */
public final class TimeStretch {
    static final double FRAME_SECONDS = 0.04;
    static final double SEARCH_SECONDS = 0.01;
    /** Output samples between two calls of {@code between}: about 0.5 s at 16 kHz. */
    private static final int BLOCK = 8192;
    /** The widest change this class accepts: beyond it every transient smears. */
    public static final double MAX_RATIO = 4;

    private TimeStretch() {}

    /** {@code length} samples of {@code x} played over {@code ratio} times its duration. */
    public static float[] stretch(float[] x, double ratio, int length, int sampleRate) {
        return stretch(x, ratio, length, sampleRate, () -> { });
    }

    /** As above, calling {@code between} before each block of output (a job's cancel check). */
    public static float[] stretch(float[] x, double ratio, int length, int sampleRate, Runnable between) {
        if (!(ratio >= 1 / MAX_RATIO && ratio <= MAX_RATIO) || length < 0 || sampleRate <= 0) {
            throw new IllegalArgumentException("stretch ratio " + ratio + " outside 1/" + MAX_RATIO + ".." + MAX_RATIO
                    + ", or a negative length or bad rate");
        }
        float[] y = new float[length];
        if (ratio == 1 || x.length == 0) {
            System.arraycopy(x, 0, y, 0, Math.min(length, x.length));
            return y;
        }
        int half = Math.max(8, (int) Math.round(FRAME_SECONDS * sampleRate / 2));
        int frame = 2 * half;
        int reach = Math.max(1, (int) Math.round(SEARCH_SECONDS * sampleRate));
        float[] window = new float[frame];
        for (int i = 0; i < frame; i++) {
            window[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / frame)); // periodic: halves sum to 1
        }
        float[] weight = new float[length];
        int previous = 0;     // input start of the last frame laid down
        int nextBlock = 0;
        // Frames start half a frame before time zero, so the first output samples get two windows as all others.
        for (long k = -1; ; k++) {
            long out = k * half;
            if (out >= length) {
                break;
            }
            if (out >= nextBlock) {
                between.run();
                nextBlock += BLOCK;
            }
            int nominal = (int) Math.round(out / ratio);
            int from = k == -1 ? nominal : bestMatch(x, previous + half, nominal, reach, half);
            for (int i = 0; i < frame; i++) {
                long o = out + i;
                int in = from + i;
                if (o < 0 || o >= length) {
                    continue;
                }
                float v = in >= 0 && in < x.length ? x[in] : 0f;
                y[(int) o] += window[i] * v;
                weight[(int) o] += window[i];
            }
            previous = from;
        }
        for (int i = 0; i < length; i++) {
            if (weight[i] > 1e-3f) {
                y[i] /= weight[i];
            }
        }
        return y;
    }

    /**
     * The start within {@code reach} of {@code nominal} whose first {@code span} samples best correlate with the
     * input from {@code natural} (where the previous frame's input goes on): normalised cross-correlation, every
     * second sample, so loud and quiet candidates are compared by shape alone.
     */
    private static int bestMatch(float[] x, int natural, int nominal, int reach, int span) {
        int best = nominal;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int d = -reach; d <= reach; d++) {
            int at = nominal + d;
            double dot = 0;
            double energy = 1e-9;
            for (int i = 0; i < span; i += 2) {
                float c = sample(x, at + i);
                dot += c * sample(x, natural + i);
                energy += c * c;
            }
            double score = dot / Math.sqrt(energy);
            if (score > bestScore) {
                bestScore = score;
                best = at;
            }
        }
        return best;
    }

    private static float sample(float[] x, int i) {
        return i >= 0 && i < x.length ? x[i] : 0f;
    }
}
