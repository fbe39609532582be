package dev.segue.engine.cluster;

import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;

/**
 * One job as a message on its prior's work-queue subject. A submit carries the client's own submit message,
 * re-encoded by the protocol codec (so the worker decodes and checks it with the same code), inline when it
 * is small and otherwise in the object store under the job's prime name. An extend carries where it starts:
 * the finished job and candidate, and the new audio's length in frames, already checked by the gateway.
 */
record JobTicket(String kind, String job, String prior, byte[] inlineSubmit, String sourceJob, int candidate,
                 long frames) {
    static final String SUBMIT = "submit";
    static final String EXTEND = "extend";

    static JobTicket submit(String job, String prior, byte[] packedOrNull) {
        return new JobTicket(SUBMIT, job, prior, packedOrNull, null, -1, 0);
    }

    static JobTicket extend(String job, String prior, String sourceJob, int candidate, long frames) {
        return new JobTicket(EXTEND, job, prior, null, sourceJob, candidate, frames);
    }

    /** The message to publish; its id is the job id, so JetStream drops a second publish of the same job. */
    Message toMessage() {
        Headers h = new Headers().put("Segue-Kind", kind).put("Segue-Job", job).put("Segue-Prior", prior)
                .put("Nats-Msg-Id", job);
        if (EXTEND.equals(kind)) {
            h.put("Segue-Source-Job", sourceJob).put("Segue-Candidate", Integer.toString(candidate))
                    .put("Segue-Frames", Long.toString(frames));
        } else {
            h.put("Segue-Prime", inlineSubmit == null ? "object" : "inline");
        }
        return NatsMessage.builder().subject(Names.jobSubject(prior)).headers(h)
                .data(inlineSubmit == null ? new byte[0] : inlineSubmit).build();
    }

    static JobTicket from(Message m) {
        Headers h = m.getHeaders();
        if (h == null || h.getFirst("Segue-Kind") == null || h.getFirst("Segue-Job") == null) {
            throw new IllegalArgumentException("a job message without Segue-Kind and Segue-Job headers");
        }
        String kind = h.getFirst("Segue-Kind");
        if (EXTEND.equals(kind)) {
            return extend(h.getFirst("Segue-Job"), h.getFirst("Segue-Prior"), h.getFirst("Segue-Source-Job"),
                    Integer.parseInt(h.getFirst("Segue-Candidate")), Long.parseLong(h.getFirst("Segue-Frames")));
        }
        if (!SUBMIT.equals(kind)) {
            throw new IllegalArgumentException("a job message of unknown kind '" + kind + "'");
        }
        return submit(h.getFirst("Segue-Job"), h.getFirst("Segue-Prior"),
                "inline".equals(h.getFirst("Segue-Prime")) ? m.getData() : null);
    }
}
