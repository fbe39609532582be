package dev.segue.bridge.app;

import java.awt.BorderLayout;
import java.awt.Color;
import javax.swing.BorderFactory;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.UIManager;

/** The bottom line: daemon online/offline, the audio output, the last message. EDT only. */
final class StatusBar extends JPanel {
    private static final long serialVersionUID = 1L;
    static final Color ONLINE = new Color(0x4caf50);
    static final Color OFFLINE = new Color(0xef5350);

    final JLabel connection = new JLabel("connecting\u2026");
    final JLabel message = new JLabel(" ");
    final JLabel audio = new JLabel();

    StatusBar() {
        super(new BorderLayout(16, 0));
        setBorder(BorderFactory.createCompoundBorder(
                BorderFactory.createMatteBorder(1, 0, 0, 0, UIManager.getColor("Separator.foreground")),
                BorderFactory.createEmptyBorder(4, 10, 4, 10)));
        add(connection, BorderLayout.WEST);
        add(message, BorderLayout.CENTER);
        add(audio, BorderLayout.EAST);
    }

    void connection(boolean online, String detail) {
        connection.setText((online ? "\u25cf online \u00b7 " : "\u25cb ") + detail);
        connection.setForeground(online ? ONLINE : OFFLINE);
        connection.setToolTipText(detail);
    }

    void message(String text) {
        message.setText(text);
        message.setToolTipText(text);
    }
}
