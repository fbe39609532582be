package dev.segue.bridge.app.view;

/**
 * A take's waveform overview: the lowest and highest sample (over all channels) in each of up to
 * {@code buckets} equal spans, so drawing any width costs the same however long the take is.
 */
public record Peaks(float[] min, float[] max, long frames) {
    public static Peaks of(float[] interleaved, int channels, int buckets) {
        long frames = interleaved.length / channels;
        int n = (int) Math.max(1, Math.min(buckets, frames));
        float[] lo = new float[n];
        float[] hi = new float[n];
        for (int b = 0; b < n; b++) {
            long from = b * frames / n;
            long to = Math.max(from + 1, (b + 1) * frames / n);
            float mn = Float.POSITIVE_INFINITY;
            float mx = Float.NEGATIVE_INFINITY;
            for (long f = from; f < Math.min(to, frames); f++) {
                for (int ch = 0; ch < channels; ch++) {
                    float s = interleaved[(int) (f * channels + ch)];
                    mn = Math.min(mn, s);
                    mx = Math.max(mx, s);
                }
            }
            lo[b] = frames == 0 ? 0 : mn;
            hi[b] = frames == 0 ? 0 : mx;
        }
        return new Peaks(lo, hi, frames);
    }

    public int buckets() {
        return min.length;
    }
}
