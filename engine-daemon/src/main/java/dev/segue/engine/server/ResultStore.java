package dev.segue.engine.server;

import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.JobState;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finished takes on disk, so that nothing a producer was told is done can be lost: every file is written
 * to a temporary name, forced to disk and renamed into place, so a crash leaves either the old state or
 * the new one. Layout: {@code <dir>/jobs/<job>/job.json} (the record) and {@code take-NN.f32} (interleaved
 * little-endian float32). The job directories are the index: it is rebuilt by scanning them at open, and a
 * job found queued or running then (the daemon died under it) is marked failed, never silently dropped.
 *
 * <p>About 400 lines: every write of a record, its takes and its kept state, the retention that deletes them and
 * the totals kept beside them go through one lock here, so the rules a crash must not break are in one place.
 */
public final class ResultStore {
    private static final Logger LOG = LoggerFactory.getLogger(ResultStore.class);
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** A record larger than this was not written by us; refuse it instead of reading it whole. */
    private static final long MAX_RECORD_BYTES = 1 << 20;
    public static final int MAX_CANDIDATES = 16;

    private final Path jobsDir;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /**
     * Written under the store's lock; read without it (find, list), so the socket thread's {@code list_jobs} never
     * waits for another thread's fsync.
     */
    private final Map<String, JobRecord> jobs = new ConcurrentSkipListMap<>();
    /** Every record's {@code list_jobs} entry, newest first, built as the record changes. */
    private final JobEntries entries = new JobEntries();
    /** Bytes of takes and kept state on disk, kept as they are written and deleted (never a walk of the folder). */
    private final AtomicLong dataBytes = new AtomicLong();
    private final AtomicLong jobCount = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();

    private ResultStore(Path jobsDir) {
        this.jobsDir = jobsDir;
    }

    /** Opens (creating if needed) the store under {@code dataDir} and recovers jobs a crash interrupted. */
    public static ResultStore open(Path dataDir) throws IOException {
        Path jobsDir = dataDir.resolve("jobs");
        Files.createDirectories(jobsDir);
        ResultStore store = new ResultStore(jobsDir);
        store.scan();
        return store;
    }

    private void scan() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jobsDir)) {
            for (Path dir : dirs) {
                String id = dir.getFileName().toString();
                Path record = dir.resolve("job.json");
                if (!JOB_ID.matcher(id).matches() || !Files.isRegularFile(record)) {
                    continue; // a half-created directory (crash before the first record) holds nothing
                }
                try {
                    if (Files.size(record) > MAX_RECORD_BYTES) {
                        throw new IOException("record larger than " + MAX_RECORD_BYTES + " bytes");
                    }
                    JobRecord job = json.readValue(record.toFile(), JobRecord.class);
                    if (!id.equals(job.job())) {
                        throw new IOException("record names job '" + job.job() + "'");
                    }
                    if (!job.state().isFinal()) {
                        job = job.with(JobState.FAILED, System.currentTimeMillis(), job.takes(),
                                "the daemon stopped while this job was " + job.state().name().toLowerCase());
                        writeRecord(job);
                        LOG.warn("job {} was in flight when the daemon stopped; marked failed", id);
                    }
                    remember(job);
                    jobCount.incrementAndGet();
                    dataBytes.addAndGet(bytesOf(job));
                } catch (IOException e) {
                    LOG.error("ignoring unreadable job record {}: {}", record, e.getMessage());
                }
            }
        }
    }

    public static boolean isValidJobId(String job) {
        return job != null && JOB_ID.matcher(job).matches();
    }

    /** Records a new job as queued, before any work on it starts. */
    public synchronized JobRecord create(String job, int candidates, JobRequest request) throws IOException {
        if (!isValidJobId(job)) {
            throw new IllegalArgumentException("job id must be 1-64 characters of A-Z a-z 0-9 _ -");
        }
        if (jobs.containsKey(job)) {
            throw new IllegalArgumentException("job " + job + " already exists");
        }
        if (candidates < 1 || candidates > MAX_CANDIDATES) {
            throw new IllegalArgumentException("candidates must be 1.." + MAX_CANDIDATES);
        }
        long now = System.currentTimeMillis();
        JobRecord record = new JobRecord(job, JobState.QUEUED, now, now, candidates,
                request, List.of(), null, null, null, null);
        Files.createDirectories(jobsDir.resolve(job));
        writeRecord(record);
        remember(record);
        jobCount.incrementAndGet();
        return record;
    }

    public synchronized JobRecord markRunning(String job) throws IOException {
        return transition(job, JobState.RUNNING, null);
    }

    /**
     * Writes one candidate's audio, then adds it to the record. The take is on disk before the record
     * names it, so a record never points at a missing file.
     */
    public synchronized JobRecord saveTake(String job, int candidate, float[] interleaved, int sampleRate, int channels,
                                           long seed) throws IOException {
        JobRecord record = require(job);
        if (record.state().isFinal()) {
            throw new IllegalStateException("job " + job + " is already " + record.state());
        }
        if (candidate < 0 || candidate >= record.candidates()) {
            throw new IllegalArgumentException("candidate " + candidate + " outside 0.." + (record.candidates() - 1));
        }
        if (channels < 1 || channels > 2 || interleaved.length % channels != 0) {
            throw new IllegalArgumentException("audio must be mono or stereo, interleaved");
        }
        String file = String.format("take-%02d.f32", candidate + 1);
        ByteBuffer bytes = ByteBuffer.allocate(interleaved.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(interleaved);
        writeCounted(jobsDir.resolve(job).resolve(file), bytes);
        List<JobRecord.Take> takes = new ArrayList<>();
        for (JobRecord.Take t : record.takes()) {
            if (t.candidate() != candidate) {
                takes.add(t);
            }
        }
        takes.add(new JobRecord.Take(candidate, file, sampleRate, channels, interleaved.length / channels, seed));
        takes.sort((a, b) -> Integer.compare(a.candidate(), b.candidate()));
        JobRecord updated = record.with(record.state(), System.currentTimeMillis(), List.copyOf(takes), null);
        writeRecord(updated);
        remember(updated);
        return updated;
    }

    public synchronized JobRecord complete(String job) throws IOException {
        JobRecord r = transition(job, JobState.DONE, null);
        done.incrementAndGet();
        return r;
    }

    public synchronized JobRecord fail(String job, String reason) throws IOException {
        return fail(job, "INTERNAL", reason);
    }

    /** Records a failure with the wire code it was answered with (BAD_MESSAGE for input found bad while running). */
    public synchronized JobRecord fail(String job, String code, String reason) throws IOException {
        JobRecord record = require(job);
        if (record.state().isFinal()) {
            throw new IllegalStateException("job " + job + " is already " + record.state());
        }
        JobRecord updated = record.with(JobState.FAILED, System.currentTimeMillis(), record.takes(), reason, code);
        writeRecord(updated);
        remember(updated);
        failed.incrementAndGet();
        return updated;
    }

    public synchronized JobRecord cancel(String job) throws IOException {
        JobRecord r = transition(job, JobState.CANCELLED, "cancelled by the client");
        cancelled.incrementAndGet();
        return r;
    }

    /** Bytes of takes and kept engine state on disk now; from a running total, without touching the disk. */
    public long dataBytes() {
        return dataBytes.get();
    }

    /** Job records in the store (expired ones included: their records stay). */
    public long jobCount() {
        return jobCount.get();
    }

    /** Jobs this store recorded as done, failed and cancelled since it was opened (a crash's leftovers not counted). */
    public long[] endedSinceOpen() {
        return new long[] {done.get(), failed.get(), cancelled.get()};
    }

    /** Notes a fetch of a finished job: the retention policy keeps recently fetched takes. */
    public synchronized void markFetched(String job) throws IOException {
        JobRecord record = require(job);
        if (record.state().isFinal() && !record.expired()) {
            JobRecord updated = record.fetchedAt(System.currentTimeMillis());
            writeRecord(updated);
            remember(updated);
        }
    }

    /**
     * Deletes the takes (and kept engine state) the policy no longer keeps, as of {@code now}: first every finished
     * job past the age limit, then the oldest finished jobs while the takes on disk exceed the size limit. A job not
     * yet final, or fetched within the policy's window, is never touched. Returns the jobs that expired.
     */
    public synchronized List<String> expire(Retention policy, long now) throws IOException {
        List<JobRecord> candidates = new ArrayList<>();
        long total = 0;
        for (JobRecord r : jobs.values()) {
            long bytes = bytesOf(r);
            total += bytes;
            boolean fetchedLately = r.fetchedMillis() != null && policy.keepFetchedMillis() > 0
                    && now - r.fetchedMillis() < policy.keepFetchedMillis();
            if (r.state().isFinal() && !r.expired() && !fetchedLately) {
                candidates.add(r);
            }
        }
        candidates.sort(java.util.Comparator.comparingLong(JobRecord::updatedMillis));
        List<String> expired = new ArrayList<>();
        for (JobRecord r : candidates) {
            boolean tooOld = policy.maxAgeMillis() > 0 && now - r.updatedMillis() > policy.maxAgeMillis();
            boolean tooBig = policy.maxBytes() > 0 && total > policy.maxBytes();
            if (!tooOld && !tooBig) {
                continue;
            }
            long freed = bytesOf(r);
            total -= freed;
            Path dir = jobsDir.resolve(r.job());
            JobRecord updated = r.expiredAt(now);
            writeRecord(updated); // the record first: it never names a file that is gone
            remember(updated);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "{take,state}-*")) {
                for (Path f : files) {
                    Files.deleteIfExists(f);
                }
            }
            dataBytes.addAndGet(-freed);
            expired.add(r.job());
        }
        return expired;
    }

    /** Bytes of a job's takes and kept state on disk. */
    private long bytesOf(JobRecord r) throws IOException {
        if (r.expired()) {
            return 0;
        }
        long bytes = 0;
        Path dir = jobsDir.resolve(r.job());
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "{take,state}-*")) {
                for (Path f : files) {
                    bytes += Files.size(f);
                }
            }
        }
        return bytes;
    }

    public Optional<JobRecord> find(String job) {
        return Optional.ofNullable(jobs.get(job));
    }

    /** The {@code list_jobs} entries of the newest {@code max} records, newest first. */
    public List<JobInfo> newest(int max) {
        return entries.newest(max);
    }

    public List<JobRecord> list() {
        return List.copyOf(jobs.values());
    }

    /** A take's audio, read back from disk (for fetch after a reconnect or a restart). */
    public float[] readTake(String job, int candidate) throws IOException {
        JobRecord record = require(job);
        for (JobRecord.Take t : record.takes()) {
            if (t.candidate() == candidate) {
                Path file = jobsDir.resolve(job).resolve(t.file());
                long expected = t.frames() * t.channels() * 4;
                if (Files.size(file) != expected) {
                    throw new IOException(file + ": holds " + Files.size(file) + " bytes, the record says " + expected);
                }
                ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
                float[] out = new float[(int) (expected / 4)];
                bytes.asFloatBuffer().get(out);
                return out;
            }
        }
        throw new IllegalArgumentException("job " + job + " has no take for candidate " + candidate);
    }

    /** The most engine state kept per take; a state file larger than this is refused, not read. */
    static final int MAX_STATE_BYTES = 64 << 20;

    /** Keeps the engine's opaque state for one take (what an extend starts from), beside the take. */
    public synchronized void saveState(String job, int candidate, byte[] state) throws IOException {
        JobRecord record = require(job);
        if (candidate < 0 || candidate >= record.candidates()) {
            throw new IllegalArgumentException("candidate " + candidate + " outside 0.." + (record.candidates() - 1));
        }
        if (state.length > MAX_STATE_BYTES) {
            throw new IllegalArgumentException("engine state of " + state.length + " bytes is over " + MAX_STATE_BYTES);
        }
        writeCounted(stateFile(job, candidate), ByteBuffer.wrap(state));
    }

    /** The take's engine state, if one was kept. */
    public Optional<byte[]> readState(String job, int candidate) throws IOException {
        require(job);
        Path file = stateFile(job, candidate);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        if (Files.size(file) > MAX_STATE_BYTES) {
            throw new IOException(file + ": " + Files.size(file) + " bytes, over the " + MAX_STATE_BYTES + " allowed");
        }
        return Optional.of(Files.readAllBytes(file));
    }

    private Path stateFile(String job, int candidate) {
        return jobsDir.resolve(job).resolve(String.format("state-%02d.bin", candidate + 1));
    }

    /** Puts the record where {@link #find}, {@link #list} and {@link #newest} see it. */
    private void remember(JobRecord record) {
        jobs.put(record.job(), record);
        entries.put(record);
    }

    private JobRecord transition(String job, JobState state, String error) throws IOException {
        JobRecord record = require(job);
        if (record.state().isFinal()) {
            throw new IllegalStateException("job " + job + " is already " + record.state());
        }
        JobRecord updated = record.with(state, System.currentTimeMillis(), record.takes(), error);
        writeRecord(updated);
        remember(updated);
        return updated;
    }

    private JobRecord require(String job) {
        JobRecord record = jobs.get(job);
        if (record == null) {
            throw new IllegalArgumentException("unknown job " + job);
        }
        return record;
    }

    private void writeRecord(JobRecord record) throws IOException {
        writeAtomically(jobsDir.resolve(record.job()).resolve("job.json"), ByteBuffer.wrap(json.writeValueAsBytes(record)));
    }

    /** {@link #writeAtomically}, keeping the running total of bytes on disk (a file it replaces is subtracted). */
    private void writeCounted(Path target, ByteBuffer data) throws IOException {
        long before = Files.isRegularFile(target) ? Files.size(target) : 0;
        long size = data.remaining();
        writeAtomically(target, data);
        dataBytes.addAndGet(size - before);
    }

    private static void writeAtomically(Path target, ByteBuffer data) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (data.hasRemaining()) {
                out.write(data);
            }
            out.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException(target + ": this file system cannot rename atomically", e);
        }
    }
}
