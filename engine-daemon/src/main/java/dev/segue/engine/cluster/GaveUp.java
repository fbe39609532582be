package dev.segue.engine.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segue.protocol.message.JobState;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.api.MessageInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs JetStream stopped delivering: started as many times as the consumer allows, each time on a worker that
 * died (or went silent) before finishing. JetStream announces each with a max-deliveries advisory; the gateway
 * records the job failed, saying why, and removes its message, so its clients get an error instead of waiting
 * for ever. JetStream sends the advisory when it would deliver the job once more, so when a worker next asks
 * for a job: with every worker of the prior gone, the job waits for one to come back. (A job whose engine
 * itself fails is recorded failed by its worker at once, not retried.) Every gateway hears the advisory; the
 * compare-and-set on the record makes the second a no-op.
 */
final class GaveUp {
    private static final Logger LOG = LoggerFactory.getLogger(GaveUp.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ADVISORIES = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + Names.STREAM + ".*";

    private GaveUp() {}

    static Dispatcher watch(ClusterLink link, JobBook book) {
        Dispatcher d = link.nc.createDispatcher(m -> handle(link, book, m));
        d.subscribe(ADVISORIES);
        return d;
    }

    private static void handle(ClusterLink link, JobBook book, Message m) {
        try {
            JsonNode advisory = JSON.readTree(m.getData());
            long seq = advisory.path("stream_seq").asLong(-1);
            long deliveries = advisory.path("deliveries").asLong(0);
            if (seq < 0) {
                return;
            }
            MessageInfo info = link.jsm.getMessage(Names.STREAM, seq);
            String job = info.getHeaders() == null ? null : info.getHeaders().getFirst("Segue-Job");
            if (job != null) {
                String reason = "the job was started " + deliveries + " times and each worker running it stopped "
                        + "before it finished; it is not tried again";
                book.transition(job, r -> JobBook.with(r, JobState.FAILED, r.takes(), reason,
                        dev.segue.protocol.ErrorCode.INTERNAL));
                LOG.warn("job {}: {}", job, reason);
            }
            link.jsm.deleteMessage(Names.STREAM, seq);
        } catch (Exception e) { // already handled by another gateway, or NATS away
            LOG.debug("max-deliveries advisory not handled: {}", e.getMessage());
        }
    }
}
