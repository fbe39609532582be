package dev.segue.engine.server;

import dev.segue.protocol.message.Labels;
import dev.segue.protocol.message.ListLabels;
import java.util.List;

/**
 * A prior's artist or genre list as the wire's {@code labels} pages: the names from the asked offset, at most the
 * asked limit, in the list's own order, with the list's length. An offset at or past the end is an empty page (not
 * an error), so a client that pages on while the total is unchanged simply ends.
 */
public final class LabelPages {
    private LabelPages() {}

    public static Labels page(ListLabels ask, List<String> names) {
        long total = names.size();
        int from = (int) Math.min(ask.offset(), total);
        int to = (int) Math.min(total, from + (long) ask.limit());
        return new Labels(ask.req(), ask.prior(), ask.kind(), total, ask.offset(), names.subList(from, to));
    }
}
