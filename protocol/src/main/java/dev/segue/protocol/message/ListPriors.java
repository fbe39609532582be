package dev.segue.protocol.message;

import dev.segue.protocol.Check;

/** Asks for the {@code priors} the daemon has loaded or can load. */
public record ListPriors(long req) implements Message {
    public ListPriors {
        Check.req(req);
    }

    @Override
    public MessageType type() {
        return MessageType.LIST_PRIORS;
    }
}
