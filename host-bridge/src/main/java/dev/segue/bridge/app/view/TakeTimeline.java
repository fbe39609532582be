package dev.segue.bridge.app.view;

import java.util.Locale;

/**
 * Where a take sits on the DAW timeline. The daemon does not send the prime back, so a view shows a
 * short band before the take for "the prime ends here" and draws the seam, the take's first sample
 * ({@code start_sample}, where the prime ended), between the two.
 *
 * @param startSample timeline sample of the take's first frame: the seam; -1 while unknown (previews
 *                    do not carry it)
 * @param frames      the take's length (for a streaming preview, what has arrived so far)
 */
public record TakeTimeline(long startSample, long frames, int sampleRate) {
    /** The band before the seam, as a fraction of the take's drawn width. */
    static final double LEAD = 0.1;

    /** x of the seam in a view {@code width} pixels wide. */
    public static int seamX(int width) {
        return (int) Math.round(width * LEAD / (1 + LEAD));
    }

    /** x of frame {@code f} of the take (0 = the seam). */
    public int x(long f, int width) {
        int seam = seamX(width);
        return seam + (int) Math.round((double) f / Math.max(1, frames) * (width - seam));
    }

    /** The take's frame under pixel {@code x}, clamped to the take. */
    public long frameAt(int x, int width) {
        int seam = seamX(width);
        double t = (double) (x - seam) / Math.max(1, width - seam);
        return Math.max(0, Math.min(frames, Math.round(t * frames)));
    }

    /** "m:ss.mmm" of a timeline sample at this rate. */
    public String clock(long sample) {
        double s = sample / (double) sampleRate;
        int minutes = (int) (s / 60);
        return String.format(Locale.ROOT, "%d:%06.3f", minutes, s - 60 * minutes);
    }
}
