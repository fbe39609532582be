package dev.segue.engine.analysis;

/**
 * Tempo from onset periodicity. Onset strength is spectral flux (frame-to-frame rises of log magnitude,
 * summed over bins, minus its local mean); its autocorrelation, normalised by overlap, is read at the
 * first few multiples of each candidate beat period (a comb, so a true period scores on every multiple)
 * and weighted by a broad log-normal preference around 120 BPM, which breaks the tie between a tempo and
 * its half. The candidate grid is 0.05 BPM from {@link #MIN_BPM} to {@link #MAX_BPM}.
 */
public final class TempoEstimator {
    private TempoEstimator() {}

    static final double MIN_BPM = 50;
    static final double MAX_BPM = 220;
    private static final double PREFERRED_BPM = 120;
    private static final double PREFERENCE_OCTAVES = 1.0;
    private static final int COMB_MULTIPLES = 4;

    /** Shortest audio a tempo is estimated from: two beats at the slowest tempo. */
    public static double minSeconds() {
        return 2 * 60 / MIN_BPM;
    }

    public static double estimateBpm(float[] audio, int sampleRate) {
        return estimateBeat(audio, sampleRate).bpm();
    }

    /** A beat grid: the tempo, and the time of the first beat after the audio's start, in [0, 60 / bpm). */
    public record Beat(double bpm, double firstBeatSeconds) {}

    /** The tempo as {@link #estimateBpm}, and where its beats fall: see {@link #firstBeat}. */
    public static Beat estimateBeat(float[] audio, int sampleRate) {
        return estimateBeat(audio, sampleRate, () -> { });
    }

    /** As above, calling {@code between} now and then while the spectrum is taken (a job's cancel check). */
    public static Beat estimateBeat(float[] audio, int sampleRate, Runnable between) {
        if (audio.length < minSeconds() * sampleRate) {
            throw new IllegalArgumentException(String.format("tempo needs at least %.1f s of audio, got %.2f s",
                    minSeconds(), audio.length / (double) sampleRate));
        }
        int nFft = Integer.highestOneBit(Math.max(64, sampleRate / 20)); // about 50 ms windows
        int hop = Math.max(1, sampleRate / 200);                          // 5 ms frames
        double frameSeconds = (double) hop / sampleRate;
        double[] onset = onsetStrength(audio, new Stft.Resolution(nFft, hop, nFft), sampleRate, between);
        between.run();
        double bpm = bpmOf(onset, frameSeconds);
        // A centred frame's magnitude starts to rise as soon as an onset enters its window, half a window
        // before the frame's centre reaches it: the flux peaks lead the onsets by about that much.
        double lead = nFft / 2.0 / sampleRate;
        double period = 60 / bpm;
        double first = (firstBeat(onset, frameSeconds, bpm) + lead) % period;
        return new Beat(bpm, first);
    }

    /**
     * Where the beats of a known tempo fall in {@code audio}: the time of the first, in [0, 60 / bpm), by the
     * same comb as {@link #estimateBeat} (as a producer lines a DAW's grid up with a recording).
     */
    public static double beatAt(float[] audio, int sampleRate, double bpm) {
        Onsets o = onsets(audio, sampleRate);
        return (firstBeat(o.strength(), o.frameSeconds(), bpm) + o.leadSeconds()) % (60 / bpm);
    }

    /**
     * Onset strength of {@code audio} at {@code frameSeconds} frames, the measure the tempo is read from: frame
     * {@code f}'s onsets lie at {@code f * frameSeconds + leadSeconds} (the flux peaks lead the onsets).
     */
    public record Onsets(double[] strength, double frameSeconds, double leadSeconds) {}

    public static Onsets onsets(float[] audio, int sampleRate) {
        int nFft = Integer.highestOneBit(Math.max(64, sampleRate / 20));
        int hop = Math.max(1, sampleRate / 200);
        double[] onset = onsetStrength(audio, new Stft.Resolution(nFft, hop, nFft), sampleRate, () -> { });
        return new Onsets(onset, (double) hop / sampleRate, nFft / 2.0 / sampleRate);
    }

    /**
     * The beat phase: of the offsets within one beat period, the one whose comb of beat times (the offset,
     * then every period) collects the most onset strength, each tooth taking the strongest frame within
     * 10 ms so a slightly wrong tempo does not slide the comb off the onsets. Returned in seconds.
     */
    static double firstBeat(double[] onset, double frameSeconds, double bpm) {
        double period = 60 / bpm / frameSeconds;
        int slack = Math.max(1, (int) Math.round(0.010 / frameSeconds));
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int offset = 0; offset < period; offset++) {
            double sum = 0;
            int teeth = 0;
            for (double t = offset; t < onset.length; t += period) {
                int c = (int) Math.round(t);
                double peak = 0;
                for (int i = Math.max(0, c - slack); i <= Math.min(onset.length - 1, c + slack); i++) {
                    peak = Math.max(peak, onset[i]);
                }
                sum += peak;
                teeth++;
            }
            double score = teeth == 0 ? 0 : sum / teeth;
            if (score > bestScore) {
                bestScore = score;
                best = offset;
            }
        }
        return best * frameSeconds;
    }

    private static double bpmOf(double[] onset, double frameSeconds) {
        double[] ac = autocorrelation(onset, (int) Math.ceil(COMB_MULTIPLES * 60 / MIN_BPM / frameSeconds) + 2);
        double bestBpm = PREFERRED_BPM;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (double bpm = MIN_BPM; bpm <= MAX_BPM + 1e-9; bpm += 0.05) {
            double lag = 60 / bpm / frameSeconds;
            double sum = 0;
            int terms = 0;
            for (int k = 1; k <= COMB_MULTIPLES && k * lag < ac.length - 1; k++) {
                sum += interpolate(ac, k * lag);
                terms++;
            }
            if (terms == 0) {
                continue;
            }
            double octaves = Math.log(bpm / PREFERRED_BPM) / Math.log(2);
            double score = sum / terms * Math.exp(-0.5 * octaves * octaves / (PREFERENCE_OCTAVES * PREFERENCE_OCTAVES));
            if (score > bestScore) {
                bestScore = score;
                bestBpm = bpm;
            }
        }
        return bestBpm;
    }

    /**
     * Whether two tempi agree within {@code tolerance} (e.g. 0.04 for 4%) up to a factor of two either way
     * (tempo octave errors: a listener may tap the half or double beat).
     */
    public static boolean agree(double bpmA, double bpmB, double tolerance) {
        double octaves = Math.log(bpmA / bpmB) / Math.log(2);
        double off = Math.abs(octaves - Math.round(octaves));
        return Math.abs(Math.round(octaves)) <= 1 && off <= Math.log(1 + tolerance) / Math.log(2);
    }

    static double[] onsetStrength(float[] audio, Stft.Resolution r, int sampleRate, Runnable between) {
        float[][] mag = Stft.magnitude(audio, r, between);
        between.run();
        double[] flux = new double[mag.length];
        // Log magnitudes, each computed once: log(1 + x) rather than log1p, which is several times slower
        // and no more exact here (x = 1000 |X| is rarely near 0, where log1p would matter).
        double[] before = new double[mag.length == 0 ? 0 : mag[0].length];
        double[] now = new double[before.length];
        for (int f = 0; f < mag.length; f++) {
            double s = 0;
            for (int k = 1; k < mag[f].length; k++) {
                now[k] = Math.log(1 + 1000 * mag[f][k]);
                double rise = now[k] - before[k];
                if (f > 0 && rise > 0) {
                    s += rise;
                }
            }
            flux[f] = s;
            double[] swap = before;
            before = now;
            now = swap;
        }
        // Remove the slowly varying level (a moving mean over about 0.4 s) and keep the peaks above it.
        int half = Math.max(1, (int) Math.round(0.2 * sampleRate / r.hop()));
        double[] out = new double[flux.length];
        double[] prefix = new double[flux.length + 1];
        for (int i = 0; i < flux.length; i++) {
            prefix[i + 1] = prefix[i] + flux[i];
        }
        for (int i = 0; i < flux.length; i++) {
            int lo = Math.max(0, i - half);
            int hi = Math.min(flux.length, i + half + 1);
            out[i] = Math.max(0, flux[i] - (prefix[hi] - prefix[lo]) / (hi - lo));
        }
        return out;
    }

    /** Autocorrelation at lags 0..maxLag-1, each divided by its number of overlapping terms. */
    static double[] autocorrelation(double[] x, int maxLag) {
        int lags = Math.min(maxLag, x.length);
        double[] ac = new double[lags];
        for (int lag = 0; lag < lags; lag++) {
            double s = 0;
            for (int i = lag; i < x.length; i++) {
                s += x[i] * x[i - lag];
            }
            ac[lag] = s / (x.length - lag);
        }
        return ac;
    }

    private static double interpolate(double[] a, double position) {
        int i = (int) Math.floor(position);
        double frac = position - i;
        return a[i] * (1 - frac) + a[i + 1] * frac;
    }
}
