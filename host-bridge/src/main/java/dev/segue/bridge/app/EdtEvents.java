package dev.segue.bridge.app;

import dev.segue.bridge.app.cache.CachedTake;
import dev.segue.bridge.app.watch.WatchEvents;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import java.util.List;
import javax.swing.SwingUtilities;

/** Moves the watcher's reports from its threads onto the EDT, where the window reads them. */
final class EdtEvents implements WatchEvents {
    private final WatchEvents window;

    EdtEvents(WatchEvents window) {
        this.window = window;
    }

    @Override
    public void connection(boolean online, String detail) {
        SwingUtilities.invokeLater(() -> window.connection(online, detail));
    }

    @Override
    public void jobs(List<JobInfo> jobs) {
        SwingUtilities.invokeLater(() -> window.jobs(jobs));
    }

    @Override
    public void progress(Progress progress) {
        SwingUtilities.invokeLater(() -> window.progress(progress));
    }

    @Override
    public void preview(Preview preview) {
        SwingUtilities.invokeLater(() -> window.preview(preview));
    }

    @Override
    public void takes(String job, List<CachedTake> takes) {
        SwingUtilities.invokeLater(() -> window.takes(job, takes));
    }

    @Override
    public void takesUnavailable(String job, String reason) {
        SwingUtilities.invokeLater(() -> window.takesUnavailable(job, reason));
    }

    @Override
    public void extended(String job, int candidate, String extension) {
        SwingUtilities.invokeLater(() -> window.extended(job, candidate, extension));
    }

    @Override
    public void extendFailed(String job, int candidate, String reason) {
        SwingUtilities.invokeLater(() -> window.extendFailed(job, candidate, reason));
    }
}
