package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/**
 * Asks for one page of a prior's artist or genre names ({@code labels}): at most {@code limit} names from
 * position {@code offset} of the prior's list. A published list holds thousands of names, far more than one
 * message may carry, so clients page through it.
 */
public record ListLabels(long req, String prior, LabelKind kind, long offset, int limit) implements Message {
    public ListLabels {
        Check.req(req);
        Check.name("prior", prior);
        Check.present("kind", kind);
        Check.range("offset", offset, 0, Bounds.MAX_UINT32);
        if (limit > Bounds.MAX_LIST_ENTRIES) { // asking for more than a list may hold is a size, as for lists
            throw Check.tooLarge("limit", limit + " exceeds " + Bounds.MAX_LIST_ENTRIES);
        }
        Check.range("limit", limit, 1, Bounds.MAX_LIST_ENTRIES);
    }

    @Override
    public MessageType type() {
        return MessageType.LIST_LABELS;
    }
}
