package dev.segue.bridge.app.view;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** A take's spectrogram (log frequency, {@value #RANGE_DB} dB of range) beside its waveform. */
public final class SpectrogramView extends TimelineView {
    static final double RANGE_DB = 90;

    private BufferedImage image;

    public SpectrogramView(TakeTimeline timeline) {
        super(timeline, 64);
        setBackground(Color.BLACK);
    }

    /** Shows {@code s} (computed off the EDT); null shows an empty view while it is computed. */
    public void setSpectrogram(Spectrogram s, TakeTimeline timeline) {
        image = s == null ? null : toImage(s);
        setTimeline(timeline);
    }

    public boolean hasSpectrogram() {
        return image != null;
    }

    public static BufferedImage toImage(Spectrogram s) {
        BufferedImage img = new BufferedImage(s.columns(), s.rows(), BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < s.rows(); r++) {
            for (int c = 0; c < s.columns(); c++) {
                img.setRGB(c, r, Colormap.rgb((s.level(r, c) + RANGE_DB) / RANGE_DB));
            }
        }
        return img;
    }

    @Override
    protected void paintTake(Graphics2D g, int x0, int width, int height) {
        if (image != null) {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, x0, 0, width, height, null);
        }
    }
}
