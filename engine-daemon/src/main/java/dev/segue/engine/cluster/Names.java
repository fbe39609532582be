package dev.segue.engine.cluster;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Where everything lives in NATS. One work-queue stream holds the jobs, one subject per prior; each job's
 * progress and previews go on its own subject; job records in one KV bucket, live workers in another (entries
 * expire unless renewed), takes and primes in one object store.
 */
final class Names {
    private Names() {}

    static final String STREAM = "SEGUE_JOBS";
    static final String JOBS_BUCKET = "segue-jobs";
    static final String WORKERS_BUCKET = "segue-workers";
    static final String TAKES_BUCKET = "segue-takes";
    /** Jobs accepted by a gateway and not yet published to the stream, by job id (see {@link Dispatch}). */
    static final String PENDING_BUCKET = "segue-pending";
    /** A job's id, published by its worker once the job's record is final and its message acknowledged. */
    static final String ENDED = "segue.ended";

    /** Every prior's work-queue subject: the stream's subjects. */
    static final String ALL_JOBS = "segue.jobs.>";

    /** The work-queue subject of one prior. */
    static String jobSubject(String prior) {
        return "segue.jobs." + token(prior);
    }

    /** The durable pull consumer every worker holding {@code prior} shares. */
    static String consumer(String prior) {
        return "prior-" + token(prior);
    }

    /** Progress, previews and the end of one job, published by the worker running it. */
    static String events(String job) {
        return "segue.events." + job;
    }

    /** Asks whichever worker runs {@code job} to stop it between two tokens. */
    static String cancel(String job) {
        return "segue.cancel." + job;
    }

    /** Label lists and label checks, answered by any live worker holding the prior (one queue group). */
    static String labels(String prior) {
        return "segue.labels." + token(prior);
    }

    static String takeObject(String job, String attempt, int candidate) {
        return job + "/" + attempt + "/take-" + String.format("%02d", candidate + 1) + ".f32";
    }

    static String stateObject(String job, String attempt, int candidate) {
        return job + "/" + attempt + "/state-" + String.format("%02d", candidate + 1) + ".bin";
    }

    /** The engine state stored beside a take object. */
    static String stateOfTake(String takeObject) {
        int slash = takeObject.lastIndexOf('/');
        return takeObject.substring(0, slash + 1) + takeObject.substring(slash + 1).replace("take-", "state-")
                .replace(".f32", ".bin");
    }

    static String primeObject(String job) {
        return job + "/prime.bin";
    }

    /**
     * A prior's name as one subject token. A name may hold any UTF-8 (1..128 bytes), but a token may not hold
     * '.', '*', '>' or white space, so names outside {@code [A-Za-z0-9_-]} travel as 'x' and their bytes in hex,
     * as do names starting with 'x' (so a literal name never equals another's hex form).
     */
    static String token(String prior) {
        if (prior.matches("[A-Za-wyz0-9_-][A-Za-z0-9_-]{0,63}")) {
            return prior;
        }
        return "x" + HexFormat.of().formatHex(prior.getBytes(StandardCharsets.UTF_8));
    }
}
