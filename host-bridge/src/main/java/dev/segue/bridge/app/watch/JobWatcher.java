package dev.segue.bridge.app.watch;

import dev.segue.bridge.app.cache.CachedTake;
import dev.segue.bridge.app.cache.TakeCache;
import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.DaemonException;
import dev.segue.bridge.client.JobListener;
import dev.segue.bridge.client.JobResult;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.JobState;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the window's view of the daemon live, off the EDT. One thread polls {@code list_jobs} every
 * {@code interval}; a running job is followed by a {@code fetch} (which re-attaches, so its previews
 * stream in) on one of {@value #FOLLOWERS} follower threads; a finished job's takes are loaded on one
 * loader thread, from the cache or by one {@code fetch} that fills the cache. Loaded by themselves: the
 * {@code autoLoad} newest finished jobs; any other job when the window asks ({@link #want}).
 *
 * <p>When the daemon does not answer, the watcher reports offline and keeps polling with a fresh
 * client, so it reconnects by itself when the daemon is back.
 */
public final class JobWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobWatcher.class);
    static final String CLIENT_NAME = "segue-app";
    static final int FOLLOWERS = 2;
    /** A failed load or follow is tried again after this, not on every poll. */
    static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The longest a follower waits for one running job before it lets the next poll decide again. */
    static final Duration FOLLOW_LIMIT = Duration.ofMinutes(30);

    private final DaemonClients clients;
    private final TakeCache cache;
    private final WatchEvents events;
    private final long intervalNanos;
    private final int autoLoad;
    private final ExecutorService followers;
    private final ExecutorService loader;
    /** Sends what the producer asks of the daemon (an extend), so neither the EDT nor a load waits for it. */
    private final ExecutorService sender;
    private final Thread poller;
    /** Jobs a follower or the loader is working on. */
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    /** The running jobs among {@link #busy} (each holds a follower thread until its job ends). */
    private final Set<String> following = ConcurrentHashMap.newKeySet();
    /** Jobs whose takes were delivered at least once (auto-load skips them). */
    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> retryAt = new ConcurrentHashMap<>();
    private final Object wake = new Object();
    /** Guarded by {@link #wake}: the poller skips the rest of its wait once. */
    private boolean pollNow;
    private volatile boolean running = true;
    private volatile Boolean online;

    public JobWatcher(DaemonClients clients, TakeCache cache, WatchEvents events, Duration interval, int autoLoad) {
        this.clients = clients;
        this.cache = cache;
        this.events = events;
        this.intervalNanos = interval.toNanos();
        this.autoLoad = autoLoad;
        followers = Executors.newFixedThreadPool(FOLLOWERS, named("segue-app-follow"));
        loader = Executors.newSingleThreadExecutor(named("segue-app-load"));
        sender = Executors.newSingleThreadExecutor(named("segue-app-send"));
        poller = named("segue-app-poll").newThread(this::poll);
    }

    public void start() {
        poller.start();
    }

    /**
     * The window shows this job: a finished job's takes are loaded now (memory, disk, else one fetch),
     * and again on later polls while that fails. A running job is followed anyway.
     */
    public void want(JobInfo job) {
        if (job.state() == JobState.DONE) {
            wanted.add(job.job());
            retryAt.remove(job.job());
            submitLoad(job.job());
        }
    }

    /**
     * Continues take {@code candidate} of the finished {@code job} by {@code bars} bars of its tempo and meter
     * ({@code extend}; the daemon keeps every take's state, also across restarts). The answer comes as
     * {@link WatchEvents#extended} or {@link WatchEvents#extendFailed}; the next poll, at once, lists the new job,
     * which is followed as any running job is.
     */
    public void extend(String job, int candidate, int bars) {
        try {
            sender.execute(() -> {
                try (DaemonClient c = clients.forTransfers()) {
                    c.hello(CLIENT_NAME);
                    String extension = c.extend(job, candidate, new Length.Bars(bars)).job();
                    events.extended(job, candidate, extension);
                } catch (DaemonException | RuntimeException e) {
                    events.extendFailed(job, candidate, e instanceof DaemonException d
                            && d.kind() == DaemonException.Kind.ERROR_REPLY ? d.code() + ": " + d.text() : e.getMessage());
                }
                synchronized (wake) {
                    pollNow = true; // the extension shows without waiting for the interval
                    wake.notifyAll();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            events.extendFailed(job, candidate, "the app is closing");
        }
    }

    @Override
    public void close() {
        running = false;
        synchronized (wake) {
            wake.notifyAll();
        }
        followers.shutdownNow();
        loader.shutdownNow();
        sender.shutdownNow();
        try {
            poller.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void poll() {
        DaemonClient client = null;
        while (running) {
            long tick = System.nanoTime();
            try {
                if (client == null) {
                    client = clients.forPolling();
                    Capabilities caps = client.hello(CLIENT_NAME);
                    setOnline(true, "daemon " + caps.daemonVersion() + " at " + clients.endpoint());
                }
                List<JobInfo> jobs = client.listJobs();
                setOnline(true, null);
                events.jobs(jobs);
                schedule(jobs);
            } catch (DaemonException | RuntimeException e) {
                if (client != null) {
                    client.close();
                    client = null;
                }
                setOnline(false, "daemon offline at " + clients.endpoint() + ", reconnecting (" + e.getMessage() + ")");
            }
            sleepUntil(tick + intervalNanos);
        }
        if (client != null) {
            client.close();
        }
    }

    /** Reports a change of state, and a fresh hello's detail (the daemon may have been restarted). */
    private void setOnline(boolean now, String detail) {
        if (online == null || online != now || (now && detail != null)) {
            events.connection(now, detail != null ? detail : "daemon at " + clients.endpoint());
        }
        online = now;
    }

    private void schedule(List<JobInfo> jobs) {
        int doneSeen = 0;
        for (JobInfo j : jobs) {
            String job = j.job();
            if (j.state() == JobState.RUNNING) {
                if (!delivered.contains(job) && due(job) && following.size() < FOLLOWERS && busy.add(job)) {
                    following.add(job);
                    try {
                        followers.execute(() -> follow(job));
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        following.remove(job); // closing
                        busy.remove(job);
                    }
                }
            } else if (j.state() == JobState.DONE) {
                boolean auto = doneSeen++ < autoLoad && !delivered.contains(job);
                if (auto || wanted.contains(job)) {
                    submitLoad(job);
                }
            }
        }
    }

    private void submitLoad(String job) {
        if (due(job) && busy.add(job)) {
            try {
                loader.execute(() -> load(job));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                busy.remove(job); // closing
            }
        }
    }

    private boolean due(String job) {
        Long at = retryAt.get(job);
        return at == null || System.nanoTime() - at >= 0;
    }

    private void load(String job) {
        try {
            List<CachedTake> takes = cache.load(job);
            if (takes == null) {
                if (online != Boolean.TRUE) {
                    throw new IOException("not cached, and the daemon is offline");
                }
                try (DaemonClient c = clients.forTransfers()) {
                    c.hello(CLIENT_NAME);
                    takes = cache.put(c.fetch(job));
                }
            }
            deliver(job, takes);
        } catch (DaemonException | IOException | RuntimeException e) {
            retryAt.put(job, System.nanoTime() + RETRY_NANOS);
            log.debug("loading job {} failed", job, e);
            events.takesUnavailable(job, e.getMessage());
        } finally {
            busy.remove(job);
        }
    }

    private void follow(String job) {
        try (DaemonClient c = clients.forTransfers()) {
            c.hello(CLIENT_NAME);
            JobResult result = c.fetch(job, new JobListener() {
                @Override
                public void onProgress(Progress p) {
                    events.progress(p);
                }

                @Override
                public void onPreview(Preview p) {
                    events.preview(p);
                }
            }, FOLLOW_LIMIT);
            deliver(job, cache.put(result));
        } catch (DaemonException | IOException | RuntimeException e) {
            retryAt.put(job, System.nanoTime() + RETRY_NANOS);
            if (e instanceof DaemonException d && d.kind() == DaemonException.Kind.ERROR_REPLY) {
                events.takesUnavailable(job, d.code() + ": " + d.text());
            }
            log.debug("following job {} failed", job, e);
        } finally {
            following.remove(job);
            busy.remove(job);
        }
    }

    private void deliver(String job, List<CachedTake> takes) {
        delivered.add(job);
        wanted.remove(job);
        retryAt.remove(job);
        events.takes(job, takes);
    }

    private void sleepUntil(long deadline) {
        synchronized (wake) {
            long left;
            while (running && !pollNow && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(wake, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            pollNow = false;
        }
    }

    private static ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
