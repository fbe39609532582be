package dev.segue.engine.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segue.engine.server.JobRecord;
import dev.segue.protocol.message.JobState;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Job records in the KV bucket, one key per job id, in the same JSON as the lone daemon's job.json. Every
 * change is compare-and-set on the entry's revision, so of two workers finishing one job (a redelivery
 * racing a worker thought dead) exactly one moves it to a final state: the first writer wins and a final
 * record never changes again.
 */
final class JobBook {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** KV's error for a revision that is no longer the latest. */
    private static final int WRONG_LAST_SEQUENCE = 10071;

    private final KeyValue kv;

    JobBook(KeyValue kv) {
        this.kv = kv;
    }

    /** What a transition left: the record as it now stands, and whether this caller's change made it. */
    record Outcome(JobRecord record, boolean applied) {}

    void create(JobRecord record) throws IOException {
        try {
            kv.create(record.job(), JSON.writeValueAsBytes(record));
        } catch (JetStreamApiException e) {
            throw new IOException("cannot record job " + record.job() + ": " + e.getMessage(), e);
        }
    }

    Optional<JobRecord> find(String job) throws IOException {
        KeyValueEntry e = entry(job);
        return e == null ? Optional.empty() : Optional.of(read(e));
    }

    /**
     * Applies {@code change} unless the record is already final; retries on a concurrent write. A change that
     * returns the record unchanged (the same object) writes nothing.
     */
    Outcome transition(String job, UnaryOperator<JobRecord> change) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            KeyValueEntry e = entry(job);
            if (e == null) {
                throw new IOException("no record of job " + job + " in the cluster");
            }
            JobRecord current = read(e);
            if (current.state().isFinal()) {
                return new Outcome(current, false);
            }
            JobRecord next = change.apply(current);
            if (next == current) {
                return new Outcome(current, false);
            }
            try {
                kv.update(job, JSON.writeValueAsBytes(next), e.getRevision());
                return new Outcome(next, true);
            } catch (JetStreamApiException conflict) {
                if (conflict.getApiErrorCode() != WRONG_LAST_SEQUENCE) {
                    throw new IOException("cannot update job " + job + ": " + conflict.getMessage(), conflict);
                }
            }
        }
        throw new IOException("job " + job + ": its record kept changing under 50 attempts to update it");
    }

    /** Every record in the bucket (the listing's source; bounded by the bucket's retention). */
    List<JobRecord> list() throws IOException {
        List<JobRecord> out = new ArrayList<>();
        try {
            for (String key : kv.keys()) {
                KeyValueEntry e = entry(key);
                if (e != null) {
                    out.add(read(e));
                }
            }
        } catch (JetStreamApiException e) {
            throw new IOException("cannot list the cluster's jobs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while listing jobs", e);
        }
        return out;
    }

    /**
     * Calls {@code onChange} with every record written from now on, on a jnats thread. The watch is an ordered
     * consumer of the bucket's stream, which jnats re-creates after a reconnect; callers keep a slower check of
     * their own for the moments it was away.
     */
    AutoCloseable watch(java.util.function.Consumer<JobRecord> onChange) throws IOException {
        try {
            var sub = kv.watchAll(new io.nats.client.api.KeyValueWatcher() {
                @Override
                public void watch(KeyValueEntry e) {
                    if (e.getOperation() == KeyValueOperation.PUT) {
                        try {
                            onChange.accept(read(e));
                        } catch (IOException | RuntimeException ignored) {
                            // not a record of ours: nothing to follow
                        }
                    }
                }

                @Override
                public void endOfData() {}
            }, io.nats.client.api.KeyValueWatchOption.UPDATES_ONLY);
            return sub::unsubscribe;
        } catch (JetStreamApiException e) {
            throw new IOException("cannot watch the job records: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while watching the job records", e);
        }
    }

    static JobRecord with(JobRecord r, JobState state, List<JobRecord.Take> takes, String error) {
        return with(r, state, takes, error, null);
    }

    /** {@code code}: the wire code a failed job ended with, which a later fetch answers with (null otherwise). */
    static JobRecord with(JobRecord r, JobState state, List<JobRecord.Take> takes, String error,
                          dev.segue.protocol.ErrorCode code) {
        return new JobRecord(r.job(), state, r.createdMillis(), System.currentTimeMillis(), r.candidates(), r.request(),
                takes, error, code == null ? null : code.name(), r.fetchedMillis(), r.expiredMillis());
    }

    private KeyValueEntry entry(String job) throws IOException {
        try {
            KeyValueEntry e = kv.get(job);
            return e == null || e.getOperation() != KeyValueOperation.PUT ? null : e;
        } catch (JetStreamApiException e) {
            throw new IOException("cannot read job " + job + ": " + e.getMessage(), e);
        }
    }

    private static JobRecord read(KeyValueEntry e) throws IOException {
        return JSON.readValue(e.getValue(), JobRecord.class);
    }
}
