package dev.segue.bridge.app.watch;

import dev.segue.bridge.app.cache.CachedTake;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import java.util.List;

/** What the {@link JobWatcher} learns, reported on its own threads (the window moves it to the EDT). */
public interface WatchEvents {
    /** The daemon answered (online) or stopped answering (offline; the watcher keeps reconnecting). */
    void connection(boolean online, String detail);

    /** The daemon's job list, newest first, every poll. */
    void jobs(List<JobInfo> jobs);

    void progress(Progress progress);

    /** A chunk of a running job's candidate, as it streams. */
    void preview(Preview preview);

    /** A finished job's takes, from the cache or just fetched (and then cached). */
    void takes(String job, List<CachedTake> takes);

    /** The takes could not be had (the job failed, or the daemon is offline and they are not cached). */
    void takesUnavailable(String job, String reason);

    /** An {@code extend} of take {@code candidate} of {@code job} was accepted: the extension is job {@code extension}. */
    void extended(String job, int candidate, String extension);

    /** An {@code extend} was refused or could not be sent; {@code reason} in the daemon's words. */
    void extendFailed(String job, int candidate, String reason);
}
