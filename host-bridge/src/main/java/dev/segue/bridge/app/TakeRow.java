package dev.segue.bridge.app;

import dev.segue.bridge.app.cache.CachedTake;
import dev.segue.bridge.app.dnd.TakeTransferHandler;
import dev.segue.bridge.app.view.SpectrogramView;
import dev.segue.bridge.app.view.TakeTimeline;
import dev.segue.bridge.app.view.WaveformView;
import dev.segue.bridge.client.Take;
import java.awt.BorderLayout;
import java.awt.Cursor;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.GridLayout;
import java.util.Locale;
import java.util.function.LongConsumer;
import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.ButtonGroup;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JRadioButton;
import javax.swing.UIManager;

/**
 * One take of the shown job: a radio button to audition it, its seed and length, an A/B badge, a
 * handle to drag its WAV out, and its waveform over its spectrogram, both with the seam marked.
 * A preview row (a running job's candidate) has the views only, growing as chunks stream in.
 */
final class TakeRow extends JPanel {
    private static final long serialVersionUID = 1L;
    static final int CONTROLS_WIDTH = 170;

    final int candidate;
    private final transient CachedTake take;
    final JRadioButton select = new JRadioButton();
    final JLabel badge = new JLabel(" ");
    final JLabel dragHandle = new JLabel();
    final WaveformView waveform;
    final SpectrogramView spectrogram;
    private final JLabel details = new JLabel();
    private boolean rendered;
    /** For previews: a render is in flight / more chunks came meanwhile. */
    private boolean rendering;
    private boolean dirty;

    /** A finished take. */
    TakeRow(CachedTake take, ButtonGroup group, TakeTransferHandler drag, RenderQueue render) {
        this.take = take;
        Take t = take.take();
        this.candidate = t.candidate();
        TakeTimeline timeline = new TakeTimeline(t.startSample(), t.frames(), t.sampleRate());
        waveform = new WaveformView(timeline, null);
        spectrogram = new SpectrogramView(timeline);
        select.setText(take.title());
        select.setFont(select.getFont().deriveFont(Font.BOLD));
        group.add(select);
        details.setText(String.format(Locale.ROOT, "<html>seed %s<br>%.2f s \u00b7 %d Hz \u00b7 %s</html>",
                Long.toUnsignedString(t.seed()), t.frames() / (double) t.sampleRate(), t.sampleRate(),
                t.channels() == 1 ? "mono" : "stereo"));
        dragHandle.setText("\u21e9 " + take.stem().getFileName());
        dragHandle.setToolTipText("Drag onto a DAW track or a folder: " + take.stem());
        dragHandle.setCursor(Cursor.getPredefinedCursor(Cursor.HAND_CURSOR));
        drag.install(dragHandle);
        drag.install(spectrogram); // the waveform keeps clicks for seeking; the spectrogram drags the file too
        layOut();
        render.render(t.samples(), t.channels(), t.sampleRate(), r -> {
            waveform.setPeaks(r.peaks(), timeline);
            spectrogram.setSpectrogram(r.spectrogram(), timeline);
            rendered = true;
        });
    }

    /** A streaming preview of candidate {@code candidate}. */
    TakeRow(int candidate) {
        this.take = null;
        this.candidate = candidate;
        TakeTimeline empty = new TakeTimeline(-1, 1, 48_000);
        waveform = new WaveformView(empty, null);
        spectrogram = new SpectrogramView(empty);
        select.setText("take " + (candidate + 1));
        select.setEnabled(false);
        details.setText("<html>preview<br>streaming\u2026</html>");
        dragHandle.setText(" ");
        layOut();
    }

    CachedTake take() {
        return take;
    }

    boolean isPreview() {
        return take == null;
    }

    /** Whether the waveform and spectrogram are drawn (not still computing). */
    boolean isRendered() {
        return rendered;
    }

    void showPreview(PreviewTake p, RenderQueue render) {
        if (rendering) {
            dirty = true;
            return;
        }
        rendering = true;
        long frames = p.frames();
        details.setText(String.format(Locale.ROOT, "<html>preview<br>%.2f s so far</html>", frames / (double) p.sampleRate()));
        TakeTimeline timeline = new TakeTimeline(-1, frames, p.sampleRate());
        render.render(p.samples(), p.channels(), p.sampleRate(), r -> {
            waveform.setPeaks(r.peaks(), timeline);
            spectrogram.setSpectrogram(r.spectrogram(), timeline);
            rendered = true;
            rendering = false;
            if (dirty) {
                dirty = false;
                showPreview(p, render);
            }
        });
    }

    void setBadge(String ab) {
        badge.setText(ab == null ? " " : ab);
    }

    void setPlayhead(long frame) {
        waveform.setPlayhead(frame);
        spectrogram.setPlayhead(frame);
    }

    void onSeek(LongConsumer seek) {
        waveform.onSeek(seek);
    }

    private void layOut() {
        setLayout(new BorderLayout(8, 0));
        setBorder(BorderFactory.createCompoundBorder(
                BorderFactory.createMatteBorder(0, 0, 1, 0, UIManager.getColor("Separator.foreground")),
                BorderFactory.createEmptyBorder(6, 8, 6, 8)));
        JPanel controls = new JPanel();
        controls.setLayout(new BoxLayout(controls, BoxLayout.Y_AXIS));
        controls.setOpaque(false);
        JPanel title = new JPanel(new BorderLayout());
        title.setOpaque(false);
        title.add(select, BorderLayout.CENTER);
        badge.setFont(badge.getFont().deriveFont(Font.BOLD, 13f));
        badge.setForeground(SpectrogramView.SEAM);
        title.add(badge, BorderLayout.EAST);
        title.setAlignmentX(LEFT_ALIGNMENT);
        details.setAlignmentX(LEFT_ALIGNMENT);
        details.setFont(details.getFont().deriveFont(11f));
        dragHandle.setAlignmentX(LEFT_ALIGNMENT);
        dragHandle.setFont(dragHandle.getFont().deriveFont(11f));
        controls.add(title);
        controls.add(details);
        controls.add(Box.createVerticalGlue());
        controls.add(dragHandle);
        controls.setPreferredSize(new Dimension(CONTROLS_WIDTH, 10));
        add(controls, BorderLayout.WEST);
        JPanel views = new JPanel(new GridLayout(2, 1, 0, 2));
        views.setOpaque(false);
        views.add(waveform);
        views.add(spectrogram);
        add(views, BorderLayout.CENTER);
        setMaximumSize(new Dimension(Integer.MAX_VALUE, 150));
        setPreferredSize(new Dimension(700, 140));
    }
}
