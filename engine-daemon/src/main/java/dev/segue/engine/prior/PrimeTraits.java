package dev.segue.engine.prior;

import dev.segue.engine.analysis.Chroma;
import dev.segue.engine.analysis.TempoEstimator;
import java.util.Arrays;

/**
 * What a beat-clocked top prior hears of its prime besides the codes: the beat grid (tempo, and where the
 * first beat falls after the measured audio's start) and the pitch-class profile, measured from audio by
 * the same estimators at training time (on the audio at the head of each training window) and at
 * sampling time (on the prime). A small prior barely uses codes more than half a second back, so a 16 s
 * take drifts off its prime's pulse and pitch set; told both, it need not infer them from the codes, and
 * with the beats placed, "an onset on the beat" is something it can learn directly. {@code bpm} and
 * {@code firstBeatSeconds} are NaN when the audio is too short for a tempo (the clock is then silent); a
 * {@code chroma} of zeros means no pitched content.
 *
 * <p>The bar: {@code beatsPerBar} beats of the clock, and {@code firstBeatInBar}, where in its bar the first
 * beat falls (0 = a downbeat). Measured traits know no downbeat: a four-beat bar counted from the first
 * beat, as the shipped prior was trained. A DAW's grid ({@link #fromGrid}) knows both exactly.
 */
public record PrimeTraits(double bpm, double firstBeatSeconds, double beatsPerBar, double firstBeatInBar,
                          double[] chroma, double[][] barCycle) {
    /** Features per position: beat-phase harmonics, bar-phase harmonics, log tempo, centred chroma. */
    public static final int FEATURES = 23;
    /** Harmonics of the beat phase: the beat, its eighths and sixteenths. */
    private static final int[] BEAT_HARMONICS = {1, 2, 4};
    /** Harmonics of the phase of the bar. */
    private static final int[] BAR_HARMONICS = {1, 2};
    /** The bar of measured traits: four beats, counted from the first beat (the downbeat is not known). */
    private static final double MEASURED_BEATS_PER_BAR = 4;
    /**
     * The clock's tempo range for a DAW's grid: the corpus's composed tempi (80 to 160 BPM), where the tempo
     * estimator's readings the shipped prior was trained on lie; a DAW tempo outside is taken by octaves into it.
     */
    public static final double GRID_MIN_BPM = 80;
    public static final double GRID_MAX_BPM = 160;
    private static final int CHROMA_AT = 2 * (BEAT_HARMONICS.length + BAR_HARMONICS.length) + 1;

    /** No tempo and no pitch: what the prior is trained to see for a prime it learns nothing from. */
    public static final PrimeTraits UNKNOWN = new PrimeTraits(Double.NaN, Double.NaN, new double[12]);

    /** Measured traits: a four-beat bar counted from the first beat. */
    public PrimeTraits(double bpm, double firstBeatSeconds, double[] chroma) {
        this(bpm, firstBeatSeconds, MEASURED_BEATS_PER_BAR, 0, chroma);
    }

    /** Traits with one chroma for every position (no bar cycle). */
    public PrimeTraits(double bpm, double firstBeatSeconds, double beatsPerBar, double firstBeatInBar, double[] chroma) {
        this(bpm, firstBeatSeconds, beatsPerBar, firstBeatInBar, chroma, null);
    }

    public PrimeTraits {
        // 1024: the protocol's longest bar (32/1, 128 quarter notes) clocked at a slow tempo's folded eighths.
        if (!(beatsPerBar > 0 && beatsPerBar <= 1024) || !(firstBeatInBar >= 0 && firstBeatInBar < beatsPerBar)) {
            throw new IllegalArgumentException("bar of " + beatsPerBar + " beats with the first beat at " + firstBeatInBar
                    + ": need 0 < beats per bar <= 1024 and the first beat within the bar");
        }
        if (!Double.isNaN(bpm) && !(bpm >= 20 && bpm <= 400)) {
            throw new IllegalArgumentException("tempo " + bpm + " BPM outside 20..400");
        }
        if (Double.isNaN(bpm) != Double.isNaN(firstBeatSeconds)
                || (!Double.isNaN(bpm) && !(firstBeatSeconds >= 0 && firstBeatSeconds < 60 / bpm + 1e-9))) {
            throw new IllegalArgumentException("first beat " + firstBeatSeconds + " s must lie within one beat of "
                    + bpm + " BPM (both NaN when there is no tempo)");
        }
        if (chroma == null || chroma.length != 12) {
            throw new IllegalArgumentException("chroma must have 12 pitch classes");
        }
        for (double c : chroma) {
            if (!Double.isFinite(c)) {
                throw new IllegalArgumentException("chroma values must be finite");
            }
        }
        chroma = chroma.clone();
        if (barCycle != null) {
            if (Double.isNaN(bpm) || barCycle.length < 2 || barCycle.length > MAX_BAR_CYCLE) {
                throw new IllegalArgumentException("a bar cycle needs a tempo and 2.." + MAX_BAR_CYCLE + " bars, got "
                        + barCycle.length + (Double.isNaN(bpm) ? " without a tempo" : ""));
            }
            double[][] rows = new double[barCycle.length][];
            for (int b = 0; b < rows.length; b++) {
                if (barCycle[b] == null || barCycle[b].length != 12) {
                    throw new IllegalArgumentException("bar " + b + " of the cycle must have 12 pitch classes");
                }
                for (double c : barCycle[b]) {
                    if (!Double.isFinite(c)) {
                        throw new IllegalArgumentException("bar cycle chroma values must be finite");
                    }
                }
                rows[b] = barCycle[b].clone();
            }
            barCycle = rows;
        }
    }

    /** The longest bar cycle: eight bars, the longest loop a prime of a few bars shows whole. */
    public static final int MAX_BAR_CYCLE = 8;

    /** The chroma of the whole measured audio. */
    @Override
    public double[] chroma() {
        return chroma.clone();
    }

    /**
     * The chroma of each bar of the cycle (row {@code b % length} for bar {@code b}, bar 0 the one holding the
     * clock's first beat), or null when every position hears {@link #chroma()}.
     */
    @Override
    public double[][] barCycle() {
        if (barCycle == null) {
            return null;
        }
        double[][] rows = new double[barCycle.length][];
        for (int b = 0; b < rows.length; b++) {
            rows[b] = barCycle[b].clone();
        }
        return rows;
    }

    /**
     * These traits with the harmony of {@code audio} (the audio they were measured on, from the clock's
     * origin) bar by bar: each bar at least half inside the audio is measured, and the longest cycle of 8, 4
     * or 2 bars in which every place has a measured bar is kept, each place from its latest bar. Every
     * position then hears the chroma of its place in that cycle, so a take is told the prime's chord for
     * each bar of the loop instead of one pitch set for all of it: music that repeats in the bars of its
     * prime, as loops and most songs' sections do, is asked to change chord where its prime did. Traits
     * without a tempo, or audio without two measurable bars, come back unchanged.
     */
    public PrimeTraits withBarCycle(float[] audio, int sampleRate, Runnable between) {
        if (Double.isNaN(bpm) || !hasPitch()) {
            return this;
        }
        double barSeconds = beatsPerBar * 60 / bpm;
        double end = (double) audio.length / sampleRate;
        long first = (long) Math.floor(barsAt(0));
        long last = (long) Math.floor(barsAt(end));
        java.util.Map<Long, double[]> measured = new java.util.TreeMap<>();
        for (long b = first; b <= last; b++) {
            double start = firstBeatSeconds + (b * beatsPerBar - firstBeatInBar) * 60 / bpm;
            int from = (int) Math.max(0, Math.round(start * sampleRate));
            int to = (int) Math.min(audio.length, Math.round((start + barSeconds) * sampleRate));
            if (to - from >= barSeconds * sampleRate / 2 && to - from > Chroma.minSamples(sampleRate)) {
                double[] c = Chroma.of(Arrays.copyOfRange(audio, from, to), sampleRate, between);
                if (Arrays.stream(c).anyMatch(v -> v != 0)) {
                    measured.put(b, c);
                }
            }
        }
        for (int cycle = MAX_BAR_CYCLE; cycle >= 2; cycle /= 2) {
            double[][] rows = new double[cycle][];
            for (var e : measured.entrySet()) {
                rows[(int) Math.floorMod(e.getKey(), (long) cycle)] = e.getValue(); // ascending: the latest wins
            }
            if (Arrays.stream(rows).allMatch(java.util.Objects::nonNull)) {
                return new PrimeTraits(bpm, firstBeatSeconds, beatsPerBar, firstBeatInBar, chroma, rows);
            }
        }
        return this;
    }

    /** Beat grid and chroma of {@code audio} (mono); a tempo needs {@link TempoEstimator#minSeconds()} of it. */
    public static PrimeTraits measure(float[] audio, int sampleRate) {
        return measure(audio, sampleRate, () -> { });
    }

    /** As above, calling {@code between} now and then while the audio is analysed (a job's cancel check). */
    public static PrimeTraits measure(float[] audio, int sampleRate, Runnable between) {
        TempoEstimator.Beat beat = audio.length >= TempoEstimator.minSeconds() * sampleRate
                ? TempoEstimator.estimateBeat(audio, sampleRate, between) : null;
        double[] chroma = audio.length > Chroma.minSamples(sampleRate) ? Chroma.of(audio, sampleRate, between)
                : new double[12];
        return beat == null ? new PrimeTraits(Double.NaN, Double.NaN, chroma)
                : new PrimeTraits(beat.bpm(), beat.firstBeatSeconds(), chroma);
    }

    /**
     * A DAW's grid at the clock's origin (the first sample of the audio the traits stand for): the tempo in
     * quarter notes per minute, the bar's length in quarter notes ({@code num * 4 / den}), and the origin's
     * position in quarter notes from any downbeat (e.g. {@code bar * beatsPerBar} for a position in bars,
     * 0-based). Phases come from this exactly; only the tempo is folded by octaves into
     * {@link #GRID_MIN_BPM}..{@link #GRID_MAX_BPM}, so a 60 BPM grid clocks eighth notes at 120, as the
     * estimator would have read it: the bar's phase stays the DAW's bar.
     */
    public static PrimeTraits fromGrid(double bpm, double beatsPerBar, double originBeats, double[] chroma) {
        if (!(bpm >= 20 && bpm <= 400) || !(beatsPerBar > 0 && beatsPerBar <= 128) || !Double.isFinite(originBeats)) {
            throw new IllegalArgumentException("grid of " + bpm + " BPM, " + beatsPerBar + " beats per bar at beat "
                    + originBeats + ": need 20..400 BPM, 0 < beats per bar <= 128 and a finite position");
        }
        double factor = 1;
        while (bpm * factor > GRID_MAX_BPM) {
            factor /= 2;
        }
        while (bpm * factor < GRID_MIN_BPM) {
            factor *= 2;
        }
        double clockBpm = bpm * factor;
        double bar = beatsPerBar * factor;
        double origin = mod(originBeats * factor, bar);
        double toFirst = frac(-origin);                       // clock beats from the origin to the next beat
        double firstBeat = toFirst * 60 / clockBpm;
        double inBar = mod(Math.rint(origin + toFirst), bar); // that beat's place in its bar, a whole beat
        if (inBar >= bar - 1e-9) {
            inBar = 0;
        }
        return new PrimeTraits(clockBpm, Math.min(firstBeat, Math.nextDown(60 / clockBpm)), bar, inBar, chroma);
    }

    /** The grid's traits for {@code audio} starting at the grid's origin: its chroma measured, its beats given. */
    public static PrimeTraits fromGrid(Grid grid, double secondsAfterGridOrigin, float[] audio, int sampleRate) {
        return fromGrid(grid, secondsAfterGridOrigin, audio, sampleRate, () -> { });
    }

    /** As above, calling {@code between} now and then while the chroma is measured (a job's cancel check). */
    public static PrimeTraits fromGrid(Grid grid, double secondsAfterGridOrigin, float[] audio, int sampleRate,
                                       Runnable between) {
        double[] chroma = audio.length > Chroma.minSamples(sampleRate) ? Chroma.of(audio, sampleRate, between)
                : new double[12];
        return fromGrid(grid.bpm(), grid.beatsPerBar(), grid.originBeats() + secondsAfterGridOrigin * grid.bpm() / 60,
                chroma);
    }

    /**
     * A DAW's grid: the tempo (quarter notes per minute), the bar's length in quarter notes, and where the
     * grid's origin (the prime's first sample) lies, in quarter notes from a downbeat.
     */
    public record Grid(double bpm, double beatsPerBar, double originBeats) {
        public Grid {
            if (!(bpm >= 20 && bpm <= 400) || !(beatsPerBar > 0 && beatsPerBar <= 128) || !Double.isFinite(originBeats)) {
                throw new IllegalArgumentException("grid of " + bpm + " BPM, " + beatsPerBar + " beats per bar at beat "
                        + originBeats + ": need 20..400 BPM, 0 < beats per bar <= 128 and a finite position");
            }
        }

        /**
         * The protocol's context: tempo, time signature and the prime's first bar (0-based). Only the place
         * within the bar matters to the clock, so a bar number of any size is taken modulo 1 first.
         */
        public static Grid ofBars(double bpm, int timeSigNum, int timeSigDen, double primeStartBar) {
            if (!Double.isFinite(primeStartBar)) {
                throw new IllegalArgumentException("the prime's first bar must be finite, got " + primeStartBar);
            }
            double beatsPerBar = timeSigNum * 4.0 / timeSigDen;
            return new Grid(bpm, beatsPerBar, (primeStartBar - Math.floor(primeStartBar)) * beatsPerBar);
        }
    }

    /**
     * The same traits without the beat grid, or without the pitch: for conditioning dropout in training, and
     * pitch guidance's twin row. Either drops the bar cycle (it needs both).
     */
    public PrimeTraits withoutTempo() {
        return new PrimeTraits(Double.NaN, Double.NaN, chroma);
    }

    public PrimeTraits withoutChroma() {
        return new PrimeTraits(bpm, firstBeatSeconds, beatsPerBar, firstBeatInBar, new double[12]);
    }

    /** Whether any pitch class was heard: a chroma of zeros says nothing about pitch. */
    public boolean hasPitch() {
        for (double c : chroma) {
            if (c != 0) {
                return true;
            }
        }
        return false;
    }

    /** These traits for a window whose position 0 lies {@code startSeconds} after the clock's origin. */
    public At at(double startSeconds) {
        return new At(this, startSeconds);
    }

    /** Traits placed on the timeline of one window. */
    public record At(PrimeTraits traits, double startSeconds) {
        public At {
            if (traits == null || !Double.isFinite(startSeconds)) {
                throw new IllegalArgumentException("traits and a finite window start are required");
            }
        }
    }

    /** The beat's phase in [0, 1) {@code seconds} after the clock's origin (0 on a beat); NaN without a tempo. */
    public double beatPhaseAt(double seconds) {
        return Double.isNaN(bpm) ? Double.NaN : frac((seconds - firstBeatSeconds) * bpm / 60);
    }

    /** The bar's phase in [0, 1) {@code seconds} after the clock's origin (0 on a downbeat); NaN without a tempo. */
    public double barPhaseAt(double seconds) {
        return Double.isNaN(bpm) ? Double.NaN : frac(barsAt(seconds));
    }

    /** Bars of the clock {@code seconds} after its origin, counted from the start of the first beat's bar. */
    private double barsAt(double seconds) {
        return ((seconds - firstBeatSeconds) * bpm / 60 + firstBeatInBar) / beatsPerBar;
    }

    /**
     * Features of positions {@code 0..n-1} of a window starting at {@code startSeconds}, one position every
     * {@code secondsPerPosition}, written row after row into {@code out} (n * {@link #FEATURES}).
     */
    void features(double startSeconds, double secondsPerPosition, int n, float[] out) {
        double[] centred = centred(chroma);
        double[][] byBar = null;
        if (barCycle != null) {
            byBar = new double[barCycle.length][];
            for (int b = 0; b < byBar.length; b++) {
                byBar[b] = centred(barCycle[b]);
            }
        }
        for (int i = 0; i < n; i++) {
            int o = i * FEATURES;
            double t = startSeconds + i * secondsPerPosition;
            double[] heard = byBar == null ? centred
                    : byBar[(int) Math.floorMod((long) Math.floor(barsAt(t)), (long) byBar.length)];
            if (!Double.isNaN(bpm)) {
                double beat = beatPhaseAt(t);
                double bar = barPhaseAt(t);
                int f = o;
                for (int h : BEAT_HARMONICS) {
                    double a = 2 * Math.PI * h * beat;
                    out[f++] = (float) Math.sin(a);
                    out[f++] = (float) Math.cos(a);
                }
                for (int h : BAR_HARMONICS) {
                    double a = 2 * Math.PI * h * bar;
                    out[f++] = (float) Math.sin(a);
                    out[f++] = (float) Math.cos(a);
                }
                out[f] = (float) (Math.log(bpm / 120) / Math.log(2));
            } else {
                Arrays.fill(out, o, o + CHROMA_AT, 0f);
            }
            for (int k = 0; k < 12; k++) {
                out[o + CHROMA_AT + k] = (float) heard[k];
            }
        }
    }

    /** Chroma about its mean, scaled to unit length: which pitch classes stand out, not how tonal it is. */
    private static double[] centred(double[] chroma) {
        double mean = Arrays.stream(chroma).sum() / 12;
        double[] c = new double[12];
        double norm = 0;
        for (int k = 0; k < 12; k++) {
            c[k] = chroma[k] - mean;
            norm += c[k] * c[k];
        }
        norm = Math.sqrt(norm);
        for (int k = 0; k < 12; k++) {
            c[k] = norm > 1e-9 ? c[k] / norm : 0;
        }
        return c;
    }

    /** {@code x} modulo {@code m}, in [0, m). */
    private static double mod(double x, double m) {
        double r = x - Math.floor(x / m) * m;
        return r >= m ? 0 : r;
    }

    /** Fraction of a turn, kept in [0, 1) and computed in double so long windows keep their phase. */
    private static double frac(double x) {
        return x - Math.floor(x);
    }
}
