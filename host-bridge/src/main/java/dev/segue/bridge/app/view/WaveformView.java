package dev.segue.bridge.app.view;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;

/** A take's waveform (min/max per pixel column over all channels), with the seam labelled. */
public final class WaveformView extends TimelineView {
    static final Color WAVE = new Color(0x4fc3f7);
    static final Color BACKGROUND = new Color(0x15181d);
    static final Color CENTRE = new Color(0x2c3440);

    private Peaks peaks;

    public WaveformView(TakeTimeline timeline, Peaks peaks) {
        super(timeline, 70);
        this.peaks = peaks;
        setBackground(BACKGROUND);
    }

    public void setPeaks(Peaks peaks, TakeTimeline timeline) {
        this.peaks = peaks;
        setTimeline(timeline);
    }

    public Peaks peaks() {
        return peaks;
    }

    @Override
    protected void paintTake(Graphics2D g, int x0, int width, int height) {
        int mid = height / 2;
        g.setColor(CENTRE);
        g.drawLine(x0, mid, x0 + width, mid);
        if (peaks != null && width > 0) {
            g.setColor(WAVE);
            int n = peaks.buckets();
            double half = (height - 4) / 2.0;
            for (int px = 0; px < width; px++) {
                int a = (int) ((long) px * n / width);
                int b = Math.max(a + 1, (int) ((long) (px + 1) * n / width));
                float mn = 1;
                float mx = -1;
                for (int i = a; i < Math.min(b, n); i++) {
                    mn = Math.min(mn, peaks.min()[i]);
                    mx = Math.max(mx, peaks.max()[i]);
                }
                if (mx >= mn) {
                    int y1 = mid - (int) Math.round(Math.min(1, mx) * half);
                    int y2 = mid - (int) Math.round(Math.max(-1, mn) * half);
                    g.drawLine(x0 + px, y1, x0 + px, Math.max(y1, y2));
                }
            }
        }
        TakeTimeline t = timeline();
        g.setColor(SEAM);
        g.setFont(getFont().deriveFont(Font.PLAIN, 10.5f));
        g.drawString(t.startSample() < 0 ? "seam (its timeline position comes with the finished take)"
                : "seam " + t.clock(t.startSample()) + " \u00b7 sample " + t.startSample(), x0 + 5, 12);
    }
}
