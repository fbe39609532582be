package dev.segue.engine.server;

import dev.segue.engine.monitor.Monitor;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One accepted job: where its takes land on the timeline, what it runs, and who follows it. Its messages go to
 * every client attached to it: the submitter, and each client that fetched it while it runs (a companion app
 * watching, or the submitter again after a reconnect, which replaces its own earlier attachment). A fetch never
 * detaches the others. The cluster's gateway follows each job a worker runs as one of these, with no work of its own.
 */
public final class Job {
    /** Attachments kept per job; past this the second-oldest is dropped (the oldest is most often the submitter). */
    static final int MAX_SUBSCRIBERS = 16;

    /** A client following a job: its messages carry the req of the request that attached it. */
    public record Subscriber(byte[] client, long req) {}

    /**
     * What the job makes and where it goes: takes at {@code rate} with {@code channels} channels, the first
     * sample at timeline sample {@code start}, candidate c drawn with seed {@code seed + c}. {@code image}, for a
     * stereo job, makes the function that turns a mono take into the client's channels with the prime's stereo
     * image; the runner calls it once per job, on its own thread (measuring the image is work); null: the take is
     * copied to every channel.
     */
    record Spec(int rate, int channels, long start, long seed, String prior, String quality,
                Supplier<UnaryOperator<float[]>> image) {
        Spec(int rate, int channels, long start, long seed, String prior, String quality) {
            this(rate, channels, start, seed, prior, quality, null);
        }
    }

    public final String id;
    final Spec spec;
    /** The engine call: runs on the job thread with the job's progress and cancel hooks. */
    final Function<Monitor, ContinuationEngine.Takes> work;
    final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;
    private Subscriber canceller;
    /** Whether the job's outcome is decided: by a cancel, or by the runner finishing (with takes or an error). */
    private boolean decided;
    /** Whether the runner has sent the job's last messages. */
    private boolean answered;
    /** Set once the job's outcome is in the store; later fetches are answered from the store. */
    private boolean ended;

    Job(String id, byte[] client, long req, Spec spec, Function<Monitor, ContinuationEngine.Takes> work) {
        this.id = id;
        this.spec = spec;
        this.work = work;
        subscribers.add(new Subscriber(client, req));
    }

    /** A job run elsewhere (by a cluster's worker), followed here for the clients attached to it. */
    public static Job followed(String id, byte[] client, long req) {
        return new Job(id, client, req, null, null);
    }

    /** What a cancel found. */
    public enum Cancel {
        /** The cancel decided the job: the caller records it and answers everyone at once. */
        ENDS_IT,
        /** The runner was already finishing it: the runner answers the canceller with the job's last message. */
        RUNNER_ANSWERS,
        /** The job's last messages are out: the caller answers from the store. */
        ALREADY_ENDED
    }

    /**
     * Asks the job to stop. A cancel that decides the job is answered at once, while the engine may still be
     * finishing a stretch of work: it stops at its next check and its output is thrown away.
     */
    public synchronized Cancel cancel(byte[] client, long req) {
        if (!decided) {
            decided = true;
            canceller = new Subscriber(client, req);
            cancelled = true;
            return Cancel.ENDS_IT;
        }
        if (!answered) {
            canceller = new Subscriber(client, req);
            return Cancel.RUNNER_ANSWERS;
        }
        return Cancel.ALREADY_ENDED;
    }

    /** True when the runner decides the job's outcome; false when a cancel already has (then it discards its work). */
    synchronized boolean decideByRunner() {
        if (decided) {
            return false;
        }
        decided = true;
        return true;
    }

    /** Called by the runner once its last messages are out; returns a canceller still to answer, or null. */
    synchronized Subscriber answered() {
        answered = true;
        Subscriber late = canceller;
        canceller = null;
        return late;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** The client whose cancel decided the job, or null. */
    synchronized Subscriber canceller() {
        return cancelled ? canceller : null;
    }

    /** Adds (or renews) a client's attachment; false once the job has ended (then the store answers). */
    public synchronized boolean attach(byte[] client, long req) {
        if (ended) {
            return false;
        }
        subscribers.removeIf(s -> Arrays.equals(s.client(), client));
        subscribers.add(new Subscriber(client, req));
        while (subscribers.size() > MAX_SUBSCRIBERS) {
            subscribers.remove(1);
        }
        return true;
    }

    /**
     * Closes the job to new attachments and returns the clients that get its last messages. Called after the
     * store has its outcome, so a fetch that comes after this is served completely from the store.
     */
    public synchronized List<Subscriber> end() {
        ended = true;
        return List.copyOf(subscribers);
    }
}
