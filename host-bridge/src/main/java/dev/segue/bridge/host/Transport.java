package dev.segue.bridge.host;

/**
 * A DAW transport at a fixed tempo and meter, starting at frame 0 on the first beat of the first bar.
 * Positions are computed from the absolute frame every time (no running sums), so they do not drift
 * over a long render.
 *
 * @param beatsPerMinute beats of {@code beatUnit} per minute (LV2 {@code time:beatsPerMinute})
 */
public record Transport(double sampleRate, double beatsPerMinute, int beatsPerBar, int beatUnit) {
    public Transport {
        if (!(sampleRate > 0) || !(beatsPerMinute > 0) || beatsPerMinute > 1000 || beatsPerBar < 1 || beatsPerBar > 64
                || beatUnit < 1 || beatUnit > 64 || Integer.bitCount(beatUnit) != 1) {
            throw new IllegalArgumentException("bad transport: " + beatsPerMinute + " bpm, " + beatsPerBar + "/" + beatUnit
                    + " (tempo in (0, 1000], 1..64 beats per bar, beat unit a power of two up to 64)");
        }
    }

    /**
     * Where the transport is at {@code frame}.
     *
     * @param bar zero-based as in LV2 {@code time:bar} (a DAW shows bar + 1)
     * @param barBeat beats since the bar began, fractional
     * @param beat beats since frame 0
     */
    public record Position(long frame, boolean playing, long bar, double barBeat, double beat,
            int beatUnit, int beatsPerBar, double beatsPerMinute) {}

    public double framesPerBeat() {
        return 60.0 * sampleRate / beatsPerMinute;
    }

    public Position at(long frame, boolean playing) {
        double beat = frame / framesPerBeat();
        long bar = (long) Math.floor(beat / beatsPerBar);
        double barBeat = beat - (double) bar * beatsPerBar;
        return new Position(frame, playing, bar, barBeat, beat, beatUnit, beatsPerBar, beatsPerMinute);
    }

    /**
     * The first frame that {@link #at} places in {@code bar} (zero-based): a bar line usually falls
     * between two frames, and the bar begins at the next one.
     */
    public long frameOfBar(long bar) {
        long f = (long) Math.floor(bar * beatsPerBar * framesPerBeat());
        while (at(f, true).bar() < bar) {
            f++; // at most once or twice: only rounding puts floor() a frame early
        }
        while (f > 0 && at(f - 1, true).bar() >= bar) {
            f--;
        }
        return f;
    }
}
