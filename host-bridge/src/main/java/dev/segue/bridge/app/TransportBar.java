package dev.segue.bridge.app;

import java.awt.FlowLayout;
import java.awt.Font;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JSlider;
import javax.swing.JSpinner;
import javax.swing.SpinnerNumberModel;
import javax.swing.JToggleButton;

/** Play, loop, A/B, the position slider and the clock; extend the take heard by some bars. Wired by {@link AppWindow}. */
final class TransportBar extends JPanel {
    private static final long serialVersionUID = 1L;
    /** The slider's resolution: per mille of the take. */
    static final int SLIDER_STEPS = 1000;

    final JToggleButton play = new JToggleButton("\u25b6 Play");
    final JToggleButton loop = new JToggleButton("\u21bb Loop");
    final JButton ab = new JButton("A/B");
    final JSlider position = new JSlider(0, SLIDER_STEPS, 0);
    final JLabel clock = new JLabel("0:00.000 / 0:00.000");
    final JLabel pair = new JLabel("A: \u2013   B: \u2013");
    /** Bars to extend by: 1 to 32, as the plugin's {@code generate_bars}. */
    final JSpinner extendBars = new JSpinner(new SpinnerNumberModel(4, 1, 32, 1));
    final JButton extend = new JButton("Extend");

    TransportBar() {
        super(new FlowLayout(FlowLayout.LEFT, 8, 4));
        setBorder(BorderFactory.createEmptyBorder(2, 4, 2, 4));
        play.setToolTipText("Audition the selected take (space)");
        loop.setToolTipText("Loop the take");
        ab.setToolTipText("Switch between the last two takes chosen, at the same position");
        ab.setEnabled(false);
        position.setToolTipText("Position in the take");
        clock.setFont(new Font(Font.MONOSPACED, Font.PLAIN, clock.getFont().getSize()));
        add(play);
        add(loop);
        add(ab);
        add(position);
        add(clock);
        add(pair);
        extend.setToolTipText("Continue the take heard by this many bars, in its tempo and meter: a new job");
        extendBars.setToolTipText("Bars to extend by");
        add(extend);
        add(extendBars);
        add(new JLabel("bars"));
    }
}
