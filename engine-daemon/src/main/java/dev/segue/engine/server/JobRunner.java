package dev.segue.engine.server;

import dev.segue.engine.monitor.Monitor;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job thread's work: takes jobs from the fair queue one at a time, runs each on the engine with its progress, preview
 * and cancel hooks, stores the takes and sends them. It never touches the socket.
 */
final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private static final String SHUT_DOWN = "the daemon shut down";

    private final FairQueue<Job> queue;
    private final ResultStore store;
    private final Map<String, Job> live;
    private final Replies replies;
    /** False once the daemon is stopping: the running job stops too, recorded as stopped by the shutdown. */
    private final BooleanSupplier running;
    /** The job the job thread runs now, if any (read by the daemon's stats). */
    private volatile Job current;

    JobRunner(FairQueue<Job> queue, ResultStore store, Map<String, Job> live, Replies replies, BooleanSupplier running) {
        this.queue = queue;
        this.store = store;
        this.live = live;
        this.replies = replies;
        this.running = running;
    }

    void work() {
        while (running.getAsBoolean()) {
            Job job;
            try {
                job = queue.poll(100);
            } catch (InterruptedException e) {
                return;
            }
            if (job != null) {
                current = job;
                try {
                    run(job);
                } finally {
                    current = null;
                }
            }
        }
    }

    /**
     * Records the running job, if any, as stopped by the shutdown, from the thread that closes the daemon when the
     * job thread has not stopped in time. The store refuses a second ending, so a job that finishes meanwhile keeps
     * whichever ending came first.
     */
    void recordShutdown() {
        Job job = current;
        if (job == null) {
            return;
        }
        try {
            store.fail(job.id, ErrorCode.INTERNAL.name(), SHUT_DOWN);
            LOG.info("job {} stopped by the shutdown", job.id);
        } catch (IOException | RuntimeException e) {
            LOG.warn("job {} ended as the daemon shut down: {}", job.id, e.getMessage());
        }
    }

    /** 1 while a job runs, else 0. */
    int running() {
        return current == null ? 0 : 1;
    }

    private void run(Job job) {
        try {
            if (job.cancelled()) {
                return; // taken from the queue as a cancel came: already answered
            }
            store.markRunning(job.id);
            Job.Spec spec = job.spec;
            ContinuationEngine.Takes made;
            try {
                made = job.work.apply(monitor(job));
            } catch (RuntimeException e) {
                if (job.cancelled()) { // the cancel was answered when it came; the engine has now stopped
                    LOG.info("job {} cancelled; the engine stopped", job.id);
                } else if (job.decideByRunner()) {
                    fail(job, e);
                }
                return;
            }
            if (!job.decideByRunner()) {
                LOG.info("job {} cancelled as it finished; its takes are discarded", job.id);
                return;
            }
            float[][] takes = made.audio();
            // The models are mono: a stereo prime's take is the model's take as the mid, with the prime's stereo
            // image where it has one (else the same signal on both channels, as the protocol promises).
            java.util.function.UnaryOperator<float[]> widen = spec.image() == null ? null : spec.image().get();
            float[][] out = new float[takes.length][];
            for (int c = 0; c < takes.length; c++) {
                out[c] = widen != null ? widen.apply(takes[c]) : Channels.spread(takes[c], spec.channels());
                if (made.state() != null && made.state()[c] != null) {
                    store.saveState(job.id, c, made.state()[c]); // before the take: a listed take can extend
                }
                store.saveTake(job.id, c, out[c], spec.rate(), spec.channels(), spec.seed() + c);
            }
            store.complete(job.id);
            JobRequest request = store.find(job.id).map(JobRecord::request).orElse(JobRequest.unrecorded(spec.prior(),
                    spec.quality()));
            List<Job.Subscriber> subscribers = job.end();
            for (Job.Subscriber sub : subscribers) {
                for (int c = 0; c < takes.length; c++) {
                    replies.sendTake(sub.client(), sub.req(), job.id, c, spec.rate(), spec.channels(), spec.start(),
                            spec.seed() + c, out[c], request);
                }
            }
            for (Job.Subscriber sub : subscribers) {
                replies.send(sub.client(), new Done(sub.req(), job.id, takes.length));
            }
            Job.Subscriber late = job.answered();
            if (late != null) { // cancelled while its takes were being stored: it had already finished
                replies.send(late.client(), new Done(late.req(), job.id, takes.length));
            }
            LOG.info("job {} done", job.id);
        } catch (RuntimeException | IOException e) {
            if (!job.cancelled()) { // else a cancel came as the job started, and has been answered
                fail(job, e); // the store failed under the job
            }
        } finally {
            live.remove(job.id);
        }
    }

    /**
     * A job that stopped on an error. Input the engine found bad only once it ran (a take that cannot be extended,
     * an argument out of its range) is the client's to fix: {@code BAD_MESSAGE} with the engine's reason. Anything
     * else is the daemon's fault: {@code INTERNAL}.
     */
    private void fail(Job job, Exception e) {
        ErrorCode code;
        String reason;
        if (!running.getAsBoolean()) {
            code = ErrorCode.INTERNAL;
            reason = SHUT_DOWN;
        } else {
            Failure failure = Failure.of(e);
            code = failure.code();
            reason = failure.reason();
        }
        if (code == ErrorCode.INTERNAL) {
            LOG.error("job {} failed", job.id, e);
        } else {
            LOG.info("job {} refused while running: {} {}", job.id, code, LogText.of(reason));
        }
        try {
            store.fail(job.id, code.name(), reason);
        } catch (IOException | RuntimeException stored) {
            LOG.error("could not record the failure of job {}", job.id, stored);
        }
        for (Job.Subscriber sub : job.end()) {
            replies.send(sub.client(), new ErrorReply(sub.req(), job.id, code, reason));
        }
        Job.Subscriber late = job.answered();
        if (late != null) {
            replies.send(late.client(), new ErrorReply(late.req(), job.id, code, reason));
        }
    }

    private Monitor monitor(Job job) {
        return new JobMonitor(job.id, job.spec.rate(), () -> job.cancelled() || !running.getAsBoolean(),
                message -> replies.sendAll(job, message));
    }
}
