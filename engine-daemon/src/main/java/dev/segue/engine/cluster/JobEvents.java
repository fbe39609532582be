package dev.segue.engine.cluster;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.server.JobMonitor;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import java.util.function.BooleanSupplier;

/**
 * A running job's monitor on a worker: the lone daemon's {@link JobMonitor} (progress at most every 50 ms, with the
 * same estimate and {@code ETA_UNKNOWN} rule, stages, previews), each message published once on the job's events
 * subject with req 0 (the gateway puts each attached client's req in). Core NATS, at most once: a lost progress
 * message is replaced by the next, and results never travel here (they come from the object store once the record
 * says done). The end of a job is one message with a {@code Segue-End} header and no body, and its id on
 * {@link Names#ENDED}, which tells the gateways a worker is free.
 */
final class JobEvents {
    private JobEvents() {}

    static Monitor monitor(Connection nc, String job, int rate, BooleanSupplier cancelled) {
        String subject = Names.events(job);
        return new JobMonitor(job, rate, cancelled, message -> {
            byte[] packed = Frames.pack(message.apply(0));
            if (packed.length <= nc.getMaxPayload()) { // a preview over NATS's payload bound is skipped: results follow
                nc.publish(subject, packed);
            }
        });
    }

    /** The job has a final record: {@code done}, {@code failed} or {@code cancelled}. */
    static void end(Connection nc, String job, String state) {
        nc.publish(Names.events(job), new Headers().put("Segue-End", state), new byte[0]);
        nc.publish(Names.ENDED, job.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
