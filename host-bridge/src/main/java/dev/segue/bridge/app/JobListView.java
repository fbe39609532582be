package dev.segue.bridge.app;

import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.JobState;
import dev.segue.protocol.message.Progress;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Component;
import java.awt.Font;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.swing.BorderFactory;
import javax.swing.DefaultListModel;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.ListCellRenderer;
import javax.swing.ListSelectionModel;
import javax.swing.UIManager;

/** The daemon's jobs, newest first, refreshed in place every poll so the selection stays put. EDT only. */
final class JobListView {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("MMM d HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    final DefaultListModel<JobInfo> model = new DefaultListModel<>();
    final JList<JobInfo> list = new JList<>(model);
    private final Map<String, Progress> progress = new HashMap<>();

    JobListView() {
        list.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
        list.setCellRenderer(new Renderer());
    }

    JobInfo selected() {
        return list.getSelectedValue();
    }

    /** Replaces the rows with {@code jobs}, touching only those that changed. */
    void update(List<JobInfo> jobs) {
        String selected = selected() == null ? null : selected().job();
        boolean sameOrder = model.size() == jobs.size();
        for (int i = 0; sameOrder && i < jobs.size(); i++) {
            sameOrder = model.get(i).job().equals(jobs.get(i).job());
        }
        if (sameOrder) {
            for (int i = 0; i < jobs.size(); i++) {
                if (!Objects.equals(model.get(i), jobs.get(i))) {
                    model.set(i, jobs.get(i));
                }
            }
            return;
        }
        model.clear();
        model.addAll(jobs);
        for (int i = 0; i < jobs.size(); i++) {
            if (jobs.get(i).job().equals(selected)) {
                list.setSelectedIndex(i);
            }
        }
    }

    void progress(Progress p) {
        progress.put(p.job(), p);
        for (int i = 0; i < model.size(); i++) {
            if (model.get(i).job().equals(p.job())) {
                list.repaint(list.getCellBounds(i, i));
            }
        }
    }

    private String stateText(JobInfo j) {
        Progress p = progress.get(j.job());
        if (j.state() == JobState.RUNNING && p != null) {
            return String.format(Locale.ROOT, "running %d%%", 100 * p.tokensDone() / p.tokensTotal());
        }
        return j.state().wire();
    }

    private final class Renderer extends JPanel implements ListCellRenderer<JobInfo> {
        private static final long serialVersionUID = 1L;
        private final JLabel top = new JLabel();
        private final JLabel bottom = new JLabel();

        Renderer() {
            super(new BorderLayout(0, 2));
            setBorder(BorderFactory.createEmptyBorder(6, 8, 6, 8));
            top.setFont(top.getFont().deriveFont(Font.BOLD));
            bottom.setFont(bottom.getFont().deriveFont(11f));
            add(top, BorderLayout.NORTH);
            add(bottom, BorderLayout.SOUTH);
        }

        @Override
        public Component getListCellRendererComponent(JList<? extends JobInfo> l, JobInfo j, int index,
                                                      boolean isSelected, boolean focus) {
            top.setText(String.format(Locale.ROOT, "%s   %s  %d/%d", j.job(), stateText(j), j.takesDone(), j.candidates()));
            bottom.setText(WHEN.format(Instant.ofEpochMilli(j.createdMs())) + "  \u00b7  " + j.label());
            Color bg = isSelected ? l.getSelectionBackground() : l.getBackground();
            Color fg = isSelected ? l.getSelectionForeground() : l.getForeground();
            setBackground(bg);
            top.setForeground(j.state() == JobState.FAILED || j.state() == JobState.CANCELLED
                    ? UIManager.getColor("Component.error.focusedBorderColor") != null
                            ? UIManager.getColor("Component.error.focusedBorderColor") : Color.RED
                    : fg);
            bottom.setForeground(isSelected ? fg : UIManager.getColor("Label.disabledForeground"));
            setToolTipText(j.label());
            return this;
        }
    }
}
