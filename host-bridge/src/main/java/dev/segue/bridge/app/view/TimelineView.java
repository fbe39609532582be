package dev.segue.bridge.app.view;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.util.function.LongConsumer;
import javax.swing.JComponent;

/**
 * A view of one take against the timeline: the band where the prime ends, the seam line, the take's
 * content (drawn by the subclass) and the playhead. A click asks to play from the frame under it.
 */
public abstract class TimelineView extends JComponent {
    static final Color PRIME_BAND = new Color(0x2b2f36);
    static final Color PRIME_HATCH = new Color(0x3a404a);
    public static final Color SEAM = new Color(0xff9f1c);
    static final Color PLAYHEAD = new Color(0xf5f5f5);

    private TakeTimeline timeline;
    private long playhead = -1;
    private LongConsumer onSeek = f -> {};

    protected TimelineView(TakeTimeline timeline, int preferredHeight) {
        this.timeline = timeline;
        setPreferredSize(new Dimension(600, preferredHeight));
        setMinimumSize(new Dimension(200, preferredHeight / 2));
        setOpaque(true);
        addMouseListener(new MouseAdapter() {
            @Override
            public void mousePressed(MouseEvent e) {
                if (e.getButton() == MouseEvent.BUTTON1 && e.getX() >= TakeTimeline.seamX(getWidth())) {
                    onSeek.accept(TimelineView.this.timeline.frameAt(e.getX(), getWidth()));
                }
            }
        });
    }

    public TakeTimeline timeline() {
        return timeline;
    }

    public void setTimeline(TakeTimeline t) {
        timeline = t;
        repaint();
    }

    /** Frame of the take being played (from its start), or -1 for none. */
    public void setPlayhead(long frame) {
        if (frame != playhead) {
            playhead = frame;
            repaint();
        }
    }

    public void onSeek(LongConsumer listener) {
        onSeek = listener;
    }

    @Override
    protected void paintComponent(Graphics graphics) {
        Graphics2D g = (Graphics2D) graphics.create();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            int w = getWidth();
            int h = getHeight();
            int seam = TakeTimeline.seamX(w);
            g.setColor(PRIME_BAND);
            g.fillRect(0, 0, seam, h);
            g.setColor(PRIME_HATCH);
            for (int x = -h; x < seam; x += 8) { // hatched: no audio of the prime is shown here
                g.drawLine(Math.max(0, x), Math.max(0, x) - x, Math.min(seam, x + h), Math.min(seam, x + h) - x);
            }
            g.setColor(getBackground());
            g.fillRect(seam, 0, w - seam, h);
            paintTake(g, seam, w - seam, h);
            g.setColor(SEAM);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(seam, 0, seam, h);
            if (playhead >= 0) {
                int x = timeline.x(playhead, w);
                g.setColor(PLAYHEAD);
                g.setStroke(new BasicStroke(1.5f));
                g.drawLine(x, 0, x, h);
            }
        } finally {
            g.dispose();
        }
    }

    /** Draws the take into the area right of the seam: {@code x0} to {@code x0 + width}. */
    protected abstract void paintTake(Graphics2D g, int x0, int width, int height);
}
