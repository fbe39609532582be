package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;
import java.util.List;

/** Reply to {@code list_priors}. */
public record Priors(long req, List<PriorInfo> priors) implements Message {
    public Priors {
        Check.req(req);
        priors = Check.list("priors", priors, Bounds.MAX_LIST_ENTRIES);
    }

    @Override
    public MessageType type() {
        return MessageType.PRIORS;
    }
}
