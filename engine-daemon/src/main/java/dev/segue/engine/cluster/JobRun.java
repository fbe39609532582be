package dev.segue.engine.cluster;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.server.Admission;
import dev.segue.engine.server.Channels;
import dev.segue.engine.server.Failure;
import dev.segue.engine.server.JobRecord;
import dev.segue.protocol.message.JobState;
import dev.segue.protocol.message.Submit;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery of one job on a worker. The job message is acknowledged only once the job's record is final:
 * after its takes are in the object store and the record names them, or after it failed or was cancelled.
 * Meanwhile an in-progress acknowledgement every third of the ack wait keeps JetStream from handing it to
 * another worker; if this worker dies, those stop, and the job is delivered again. Takes go under a name of
 * this attempt's own, and the record moves to done by compare-and-set, so two attempts at one job (a
 * redelivery racing a worker that was only slow) leave one result: the first to finish. The losing attempt
 * deletes its objects.
 */
final class JobRun {
    private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);

    private final ClusterLink link;
    private final String worker;
    private final ContinuationEngine engine;
    private final Message msg;
    private final Duration ackWait;
    private final JobBook book;
    private final TakeStore store;
    private volatile boolean cancelled;
    private volatile boolean handedBack;

    JobRun(ClusterLink link, String worker, ContinuationEngine engine, Message msg, Duration ackWait) {
        this.link = link;
        this.worker = worker;
        this.engine = engine;
        this.msg = msg;
        this.ackWait = ackWait;
        this.book = new JobBook(link.jobs);
        this.store = new TakeStore(link.takes);
    }

    /** The job's work, ready to run: what it makes and where those takes sit. */
    /** {@code toChannels} makes the function from a mono take to the job's channels (measuring a stereo image). */
    private record Work(int rate, int channels, long seed, Runner runner,
                        java.util.function.Supplier<java.util.function.UnaryOperator<float[]>> toChannels) {}

    private interface Runner {
        ContinuationEngine.Takes run(Monitor monitor) throws IOException;
    }

    /** The worker is stopping: stop between two tokens and put the job back for another worker. */
    void handBack() {
        handedBack = true;
    }

    void run() {
        JobTicket ticket;
        try {
            ticket = JobTicket.from(msg);
        } catch (RuntimeException e) {
            LOG.error("dropping an unreadable job message: {}", e.getMessage());
            msg.term();
            return;
        }
        String job = ticket.job();
        try {
            if (book.find(job).isEmpty()) {
                LOG.error("job {}: no record in the cluster; dropping its message", job);
                msg.term();
                return;
            }
            JobBook.Outcome started = book.transition(job, r -> r.state() == JobState.RUNNING ? r
                    : JobBook.with(r, JobState.RUNNING, r.takes(), null));
            if (started.record().state().isFinal()) { // cancelled while queued, or finished by an earlier attempt
                msg.ack();
                return;
            }
        } catch (IOException e) {
            LOG.warn("job {}: cannot read its record ({}); handing it back", job, e.getMessage());
            msg.nakWithDelay(Duration.ofSeconds(1));
            return;
        }
        long delivery = msg.metaData().deliveredCount();
        LOG.info("job {}: delivery {} on worker {}", job, delivery, worker);
        Dispatcher cancels = link.nc.createDispatcher(m -> cancelled = true);
        cancels.subscribe(Names.cancel(job));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "segue-in-progress");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, ackWait.toMillis() / 3);
        ticker.scheduleAtFixedRate(() -> alive(job), every, every, TimeUnit.MILLISECONDS);
        try {
            execute(ticket, delivery);
        } finally {
            ticker.shutdownNow();
            link.nc.closeDispatcher(cancels);
        }
    }

    /**
     * The in-progress acknowledgement, and a look at the record: a cancel whose message this worker missed (it
     * came before the worker subscribed, or through another gateway while NATS was away) still stops the job.
     */
    private void alive(String job) {
        msg.inProgress();
        try {
            if (book.find(job).map(r -> r.state() == JobState.CANCELLED).orElse(false)) {
                cancelled = true;
            }
        } catch (IOException | RuntimeException e) {
            // NATS away: the next tick looks again
        }
    }

    private void execute(JobTicket ticket, long delivery) {
        String job = ticket.job();
        Work work;
        ContinuationEngine.Takes made;
        try {
            work = prepare(ticket);
            made = work.runner().run(JobEvents.monitor(link.nc, job, work.rate(), () -> cancelled || handedBack));
        } catch (IOException e) { // the cluster's store, not the job: another attempt may do better
            LOG.warn("job {}: {}; handing it back", job, e.getMessage());
            msg.nakWithDelay(Duration.ofSeconds(1));
            return;
        } catch (RuntimeException e) {
            if (handedBack) {
                msg.nak();
                LOG.info("job {}: handed back to the queue: this worker is stopping", job);
            } else if (cancelled) {
                finish(job, r -> JobBook.with(r, JobState.CANCELLED, r.takes(), "cancelled by the client"));
            } else {
                // Named as the lone daemon names it, so a fetch gets the code the job failed with.
                Failure failure = Failure.of(e);
                if (failure.code() == dev.segue.protocol.ErrorCode.INTERNAL) {
                    LOG.error("job {} failed", job, e);
                } else {
                    LOG.info("job {} refused while running: {} {}", job, failure.code(), failure.reason());
                }
                finish(job, r -> JobBook.with(r, JobState.FAILED, r.takes(), failure.reason(), failure.code()));
            }
            return;
        }
        String attempt = worker + "-" + delivery + "-" + Long.toString(System.nanoTime() & 0xFFFFFFFL, 36);
        List<String> written = new ArrayList<>();
        try {
            List<JobRecord.Take> takes = new ArrayList<>();
            // As the lone daemon does: a stereo prime's takes get its stereo image (server/Channels).
            java.util.function.UnaryOperator<float[]> toChannels = work.toChannels().get();
            for (int c = 0; c < made.audio().length; c++) {
                float[] out = toChannels.apply(made.audio()[c]);
                String take = Names.takeObject(job, attempt, c);
                if (made.state() != null && made.state()[c] != null) { // before the take: a listed take can extend
                    String state = Names.stateOfTake(take);
                    written.add(state);
                    store.put(state, made.state()[c]);
                }
                written.add(take);
                store.putAudio(take, out);
                takes.add(new JobRecord.Take(c, take, work.rate(), work.channels(), out.length / work.channels(),
                        work.seed() + c));
            }
            JobBook.Outcome done = book.transition(job, r -> JobBook.with(r, JobState.DONE, List.copyOf(takes), null));
            if (!done.applied()) {
                LOG.info("job {} was already {}; this attempt's takes are dropped", job, done.record().state());
                written.forEach(store::deleteQuietly);
            }
            acknowledge();
            JobEvents.end(link.nc, job, done.record().state().name().toLowerCase(java.util.Locale.ROOT));
            LOG.info("job {} done", job);
        } catch (IOException | RuntimeException e) {
            LOG.warn("job {}: cannot store its takes ({}); handing it back", job, e.getMessage());
            written.forEach(store::deleteQuietly);
            msg.nakWithDelay(Duration.ofSeconds(1));
        }
    }

    private void finish(String job, java.util.function.UnaryOperator<JobRecord> change) {
        try {
            JobBook.Outcome end = book.transition(job, change);
            acknowledge();
            JobEvents.end(link.nc, job, end.record().state().name().toLowerCase(java.util.Locale.ROOT));
        } catch (IOException e) {
            LOG.warn("job {}: cannot record its end ({}); handing it back", job, e.getMessage());
            msg.nakWithDelay(Duration.ofSeconds(1));
        }
    }

    /**
     * Acknowledges the job message and waits for JetStream to confirm it, so a gateway that hears the job ended
     * sees it gone from the stream (and this worker free); unconfirmed, the message may come back, and a worker
     * taking it finds the record final and acknowledges it again.
     */
    private void acknowledge() {
        try {
            msg.ackSync(Duration.ofSeconds(2));
        } catch (java.util.concurrent.TimeoutException | InterruptedException | RuntimeException e) {
            LOG.warn("job {}: acknowledgement not confirmed ({})", msg.getHeaders().getFirst("Segue-Job"), e.getMessage());
        }
    }

    private Work prepare(JobTicket ticket) throws IOException {
        if (JobTicket.EXTEND.equals(ticket.kind())) {
            JobRecord source = book.find(ticket.sourceJob()).orElseThrow(() -> new IllegalStateException(
                    "job " + ticket.sourceJob() + " is gone from the cluster"));
            JobRecord.Take take = source.takes().stream().filter(t -> t.candidate() == ticket.candidate()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("job " + ticket.sourceJob() + " has no candidate "
                            + ticket.candidate()));
            byte[] state = store.get(Names.stateOfTake(take.file())).orElseThrow(() -> new IllegalStateException(
                    "job " + ticket.sourceJob() + " kept no model state to extend from"));
            float[] stored = store.getAudio(take.file());
            float[] previous = Channels.mono(stored, take.channels());
            return new Work(take.sampleRate(), take.channels(), take.seed(),
                    monitor -> engine.extend(state, previous, take.sampleRate(), ticket.frames(), monitor),
                    () -> Channels.toChannels(stored, take.channels(), take.sampleRate(), previous));
        }
        byte[] packed = ticket.inlineSubmit() != null ? ticket.inlineSubmit()
                : store.get(Names.primeObject(ticket.job())).orElseThrow(() -> new IllegalStateException(
                        "the prime of job " + ticket.job() + " is missing from the object store"));
        Submit s = (Submit) Frames.unpackMessage(packed);
        int rate = s.context().sampleRate();
        // The daemon's own checks once more, now against the loaded prior itself; they give the length in frames.
        long frames = Admission.check(engine, s);
        float[] mono = Channels.mono(s.prime().toArray(), s.prime().channels());
        return new Work(rate, s.prime().channels(), s.request().seed(),
                monitor -> engine.continueTakes(mono, rate, frames, s.request(), s.context(), monitor),
                () -> Channels.toChannels(s.prime().toArray(), s.prime().channels(), rate, mono));
    }
}
