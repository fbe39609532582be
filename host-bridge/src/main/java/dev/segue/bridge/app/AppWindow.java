package dev.segue.bridge.app;

import dev.segue.bridge.app.audition.AuditionPlayer;
import dev.segue.bridge.app.audition.AuditionSource;
import dev.segue.bridge.app.cache.CachedTake;
import dev.segue.bridge.app.cache.TakeCache;
import dev.segue.bridge.app.dnd.TakeTransferHandler;
import dev.segue.bridge.app.watch.JobWatcher;
import dev.segue.bridge.app.watch.WatchEvents;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.JobState;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.ButtonGroup;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.SwingConstants;
import javax.swing.Timer;

/**
 * The companion window: jobs on the left, the selected job's takes on the right (waveform, spectrogram,
 * seam, drag handle), the transport on top, the daemon's state at the bottom. Everything here runs on
 * the EDT; the watcher's reports arrive through {@link EdtEvents}, the audio runs on the player's thread.
 *
 * <p>About 500 lines: the layout and the reactions to the watcher's events that change it. What can stand
 * alone does (take rows in {@code TakeRow}, the views in {@code view/}, the cache in {@code cache/}, the player,
 * the watcher); what is left is the one place that knows every part of the window.
 */
public final class AppWindow extends JFrame implements WatchEvents {
    private static final long serialVersionUID = 1L;
    static final int PLAYHEAD_REFRESH_MS = 33;

    private final transient TakeCache cache;
    private final transient AuditionPlayer player;
    private final transient RenderQueue render = new RenderQueue();
    private transient JobWatcher watcher;
    private final JobListView jobs = new JobListView();
    private final TransportBar transport = new TransportBar();
    private final StatusBar status = new StatusBar();
    private final JLabel jobTitle = new JLabel(" ");
    private final JLabel notice = new JLabel("Waiting for the daemon\u2026", SwingConstants.CENTER);
    private final JPanel rows = new JPanel();
    private final List<TakeRow> takeRows = new ArrayList<>();
    private ButtonGroup takeGroup = new ButtonGroup();
    private final Map<String, Map<Integer, PreviewTake>> previews = new HashMap<>();
    private String shownJob;
    private boolean shownHasTakes;
    /** The take heard now and the one the A/B button switches back to. */
    private transient CachedTake current;
    private transient CachedTake other;
    private boolean sliderFromTimer;
    /** An extension the daemon accepted and the job list does not show yet: selected once it does. */
    private String extensionToShow;
    private final Timer playheadTimer = new Timer(PLAYHEAD_REFRESH_MS, e -> refreshPlayhead());

    public AppWindow(TakeCache cache, AuditionPlayer player) {
        super("Segue");
        this.cache = cache;
        this.player = player;
        setDefaultCloseOperation(DISPOSE_ON_CLOSE);
        setLayout(new BorderLayout());
        add(transport, BorderLayout.NORTH);
        add(status, BorderLayout.SOUTH);
        rows.setLayout(new BoxLayout(rows, BoxLayout.Y_AXIS));
        jobTitle.setFont(jobTitle.getFont().deriveFont(Font.BOLD, 14f));
        jobTitle.setBorder(BorderFactory.createEmptyBorder(8, 10, 8, 10));
        JPanel right = new JPanel(new BorderLayout());
        right.add(jobTitle, BorderLayout.NORTH);
        JScrollPane scroll = new JScrollPane(rows);
        scroll.setBorder(BorderFactory.createEmptyBorder());
        scroll.getVerticalScrollBar().setUnitIncrement(24);
        right.add(scroll, BorderLayout.CENTER);
        JScrollPane left = new JScrollPane(jobs.list);
        left.setMinimumSize(new Dimension(240, 100));
        JSplitPane split = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, left, right);
        split.setDividerLocation(340);
        add(split, BorderLayout.CENTER);
        status.audio.setText("audio: " + player.sink().describe());
        showNotice("Waiting for the daemon\u2026");
        wireTransport();
        jobs.list.addListSelectionListener(e -> {
            if (!e.getValueIsAdjusting()) {
                show(jobs.selected());
            }
        });
        setSize(1200, 760);
    }

    /** Starts following the daemon through {@code w}, whose events must come through {@link EdtEvents}. */
    void attach(JobWatcher w) {
        watcher = w;
    }

    @Override
    public void dispose() {
        playheadTimer.stop();
        render.close();
        super.dispose();
    }

    // --- what the watcher reports (on the EDT) ---

    @Override
    public void connection(boolean online, String detail) {
        status.connection(online, detail);
        if (!online && jobs.model.isEmpty()) {
            showNotice("Daemon offline \u2014 reconnecting\u2026 (start it with ./segue daemon)");
        }
    }

    @Override
    public void jobs(List<JobInfo> list) {
        jobs.update(list);
        if (extensionToShow != null && listedJobs().contains(extensionToShow)) {
            selectJob(extensionToShow); // follows the extension as it runs; its takes show when done
            extensionToShow = null;
        } else if (jobs.selected() == null && !list.isEmpty()) {
            jobs.list.setSelectedIndex(0); // the newest job
        } else if (list.isEmpty()) {
            showNotice("No jobs yet. Send a prime from the plugin or with ./segue continue.");
        } else if (shownJob != null && !shownHasTakes) {
            show(jobs.selected()); // its state may have moved on (running -> done)
        } else if (jobs.selected() != null) {
            showTitle(jobs.selected());
        }
    }

    @Override
    public void progress(Progress p) {
        jobs.progress(p);
    }

    @Override
    public void preview(Preview p) {
        Map<Integer, PreviewTake> byCandidate = previews.computeIfAbsent(p.job(), k -> new TreeMap<>());
        PreviewTake t = byCandidate.get(p.candidate());
        if (t == null || !t.accepts(p)) {
            t = new PreviewTake(p.sampleRate(), p.audio().channels());
            byCandidate.put(p.candidate(), t);
        }
        if (!t.add(p) || !p.job().equals(shownJob) || shownHasTakes) {
            return;
        }
        TakeRow row = null;
        for (TakeRow r : takeRows) {
            row = r.candidate == p.candidate() ? r : row;
        }
        if (row == null) {
            if (takeRows.isEmpty()) {
                rows.removeAll();
            }
            row = new TakeRow(p.candidate());
            takeRows.add(row);
            rows.add(row);
            rows.revalidate();
        }
        row.showPreview(t, render);
    }

    @Override
    public void takes(String job, List<CachedTake> takes) {
        previews.remove(job);
        if (job.equals(shownJob)) {
            showTakes(takes);
        }
    }

    @Override
    public void takesUnavailable(String job, String reason) {
        if (job.equals(shownJob) && !shownHasTakes) {
            showNotice("Takes of " + job + " not available: " + reason);
        }
        status.message("job " + job + ": " + reason);
    }

    @Override
    public void extended(String job, int candidate, String extension) {
        transport.extend.setEnabled(true);
        status.message("take " + (candidate + 1) + " of " + job + " extended: job " + extension);
        extensionToShow = extension;
    }

    @Override
    public void extendFailed(String job, int candidate, String reason) {
        transport.extend.setEnabled(true);
        status.message("take " + (candidate + 1) + " of " + job + " not extended: " + reason);
    }

    /** Extend: the take heard now, by the bars the spinner says; one request at a time. */
    private void extendCurrent() {
        if (current == null) {
            status.message("choose a take to extend");
            return;
        }
        if (watcher == null) {
            return;
        }
        int bars = (Integer) transport.extendBars.getValue();
        transport.extend.setEnabled(false);
        status.message("extending " + current.title() + " of " + current.job() + " by " + bars + " bar"
                + (bars == 1 ? "" : "s") + "\u2026");
        watcher.extend(current.job(), current.take().candidate(), bars);
    }

    // --- showing a job ---

    private void show(JobInfo j) {
        if (j == null) {
            return;
        }
        boolean sameJob = j.job().equals(shownJob);
        shownJob = j.job();
        showTitle(j);
        if (sameJob && shownHasTakes) {
            return;
        }
        List<CachedTake> inMemory = cache.inMemory(j.job());
        if (inMemory != null) {
            showTakes(inMemory);
            return;
        }
        shownHasTakes = false;
        if (j.state() == JobState.DONE) {
            if (!sameJob) {
                showNotice("Loading the takes of " + j.job() + "\u2026");
            }
            if (watcher != null) {
                watcher.want(j);
            }
        } else if (j.state() == JobState.RUNNING || j.state() == JobState.QUEUED) {
            if (!sameJob || takeRows.isEmpty()) {
                Map<Integer, PreviewTake> p = previews.get(j.job());
                showNotice(j.state() == JobState.QUEUED ? "Queued\u2026" : "Running: previews appear as they stream\u2026");
                if (p != null) {
                    rows.removeAll();
                    for (Map.Entry<Integer, PreviewTake> e : p.entrySet()) {
                        TakeRow row = new TakeRow(e.getKey());
                        takeRows.add(row);
                        rows.add(row);
                        row.showPreview(e.getValue(), render);
                    }
                }
            }
        } else {
            showNotice("Job " + j.state().wire() + ": it has no takes.");
        }
    }

    private void showTitle(JobInfo j) {
        jobTitle.setText(j.job() + "  \u00b7  " + j.state().wire() + "  \u00b7  " + j.label());
    }

    private void showTakes(List<CachedTake> takes) {
        clearRows();
        shownHasTakes = true;
        for (CachedTake t : takes) {
            TakeRow row = new TakeRow(t, takeGroup,
                    new TakeTransferHandler(cache, () -> t, status::message), render);
            row.select.addActionListener(e -> choose(t));
            row.onSeek(frame -> {
                choose(t);
                player.seek(frame);
            });
            if (current != null && current.stem().equals(t.stem())) {
                row.select.setSelected(true);
            }
            takeRows.add(row);
            rows.add(row);
        }
        rows.add(Box.createVerticalGlue());
        refreshBadges();
        rows.revalidate();
        rows.repaint();
    }

    private void showNotice(String text) {
        clearRows();
        notice.setText(text);
        notice.setAlignmentX(CENTER_ALIGNMENT);
        notice.setBorder(BorderFactory.createEmptyBorder(40, 10, 40, 10));
        rows.add(notice);
        rows.revalidate();
        rows.repaint();
    }

    private void clearRows() {
        rows.removeAll();
        takeRows.clear();
        takeGroup = new ButtonGroup();
    }

    // --- audition ---

    private void wireTransport() {
        transport.play.addActionListener(e -> {
            if (transport.play.isSelected()) {
                if (current == null && !takeRows.isEmpty() && !takeRows.get(0).isPreview()) {
                    choose(takeRows.get(0).take());
                }
                player.play();
                transport.play.setSelected(player.isPlaying());
            } else {
                player.stop();
            }
        });
        transport.loop.addActionListener(e -> player.setLoop(transport.loop.isSelected()));
        transport.ab.addActionListener(e -> switchAb());
        transport.extend.addActionListener(e -> extendCurrent());
        transport.position.addChangeListener(e -> {
            AuditionSource s = player.current();
            if (!sliderFromTimer && s != null) {
                player.seek(transport.position.getValue() * s.frames() / TransportBar.SLIDER_STEPS);
            }
        });
        player.addListener((playing, reason) -> javax.swing.SwingUtilities.invokeLater(() -> {
            transport.play.setSelected(player.isPlaying());
            if (!playing && reason.startsWith("audio output failed")) {
                status.message(reason);
            }
        }));
        playheadTimer.start();
    }

    /** Makes {@code t} the take heard; the one heard before becomes the other side of A/B. */
    private void choose(CachedTake t) {
        if (current != null && current.stem().equals(t.stem())) {
            return;
        }
        other = current;
        current = t;
        player.select(source(t));
        refreshBadges();
    }

    /** The A/B switch: the other take plays on from the same position. */
    private void switchAb() {
        if (other == null) {
            return;
        }
        CachedTake next = other;
        other = current;
        current = next;
        player.select(source(next));
        for (TakeRow r : takeRows) {
            if (r.take() != null && r.take().stem().equals(next.stem())) {
                r.select.setSelected(true);
            }
        }
        refreshBadges();
    }

    private static AuditionSource source(CachedTake t) {
        return new AuditionSource(t.job() + " " + t.title(), t.take().sampleRate(), t.take().channels(), t.take().samples());
    }

    private void refreshBadges() {
        for (TakeRow r : takeRows) {
            CachedTake t = r.take();
            boolean isCurrent = t != null && current != null && t.stem().equals(current.stem());
            boolean isOther = t != null && other != null && t.stem().equals(other.stem());
            r.setBadge(isCurrent ? "\u25b6" : isOther ? "B" : null);
        }
        transport.ab.setEnabled(other != null);
        transport.pair.setText("A/B: " + (current == null ? "\u2013" : current.job() + " " + current.title()) + "  \u21c4  "
                + (other == null ? "\u2013" : other.job() + " " + other.title()));
    }

    private void refreshPlayhead() {
        AuditionSource s = player.current();
        if (s == null) {
            return;
        }
        long pos = player.position();
        sliderFromTimer = true;
        transport.position.setValue((int) (pos * TransportBar.SLIDER_STEPS / Math.max(1, s.frames())));
        sliderFromTimer = false;
        transport.clock.setText(clock(pos, s.sampleRate()) + " / " + clock(s.frames(), s.sampleRate()));
        boolean ofShownJob = current != null && current.job().equals(shownJob);
        for (TakeRow r : takeRows) {
            r.setPlayhead(ofShownJob && !r.isPreview() ? pos : -1);
        }
    }

    private static String clock(long frames, int rate) {
        double s = frames / (double) rate;
        int m = (int) (s / 60);
        return String.format(java.util.Locale.ROOT, "%d:%06.3f", m, s - 60 * m);
    }

    // --- for tests and scripted use (EDT only) ---

    public List<String> listedJobs() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < jobs.model.size(); i++) {
            out.add(jobs.model.get(i).job());
        }
        return out;
    }

    public void selectJob(String job) {
        List<String> listed = listedJobs();
        jobs.list.setSelectedIndex(listed.indexOf(job));
    }

    public String shownJob() {
        return shownJob;
    }

    /** Finished takes shown for the selected job whose waveform and spectrogram are drawn. */
    public int renderedTakes() {
        int n = 0;
        for (TakeRow r : takeRows) {
            n += !r.isPreview() && r.isRendered() && r.spectrogram.hasSpectrogram() ? 1 : 0;
        }
        return n;
    }

    /** Preview rows shown, and how many of them have drawn something. */
    public int renderedPreviews() {
        int n = 0;
        for (TakeRow r : takeRows) {
            n += r.isPreview() && r.isRendered() ? 1 : 0;
        }
        return n;
    }

    public String connectionText() {
        return status.connection.getText();
    }

    public String noticeText() {
        return notice.isShowing() ? notice.getText() : "";
    }

    /** Clicks a take's radio button (candidate 0 is take 1), as the user would. */
    public void chooseTake(int candidate) {
        for (TakeRow r : takeRows) {
            if (r.candidate == candidate && !r.isPreview()) {
                r.select.doClick();
            }
        }
    }

    public javax.swing.AbstractButton playButton() {
        return transport.play;
    }

    public javax.swing.AbstractButton abButton() {
        return transport.ab;
    }

    public javax.swing.AbstractButton loopButton() {
        return transport.loop;
    }

    public javax.swing.AbstractButton extendButton() {
        return transport.extend;
    }

    /** Sets the bars an extend asks for, as the spinner does. */
    public void extendBars(int bars) {
        transport.extendBars.setValue(bars);
    }

    public String statusMessage() {
        return status.message.getText();
    }

    /** The window's content painted into an image (no window-manager frame). */
    public BufferedImage screenshot() {
        BufferedImage img = new BufferedImage(getRootPane().getWidth(), getRootPane().getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            getRootPane().printAll(g);
        } finally {
            g.dispose();
        }
        return img;
    }
}
