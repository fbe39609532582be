package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;
import java.util.List;

/**
 * Reply to {@code list_labels}: the names at positions {@code offset ..} of the prior's {@code kind} list, in
 * the model's list order, and the list's {@code total} length. An offset at or past the end gives an empty
 * page; a prior without a list of that kind has {@code total} 0.
 */
public record Labels(long req, String prior, LabelKind kind, long total, long offset, List<String> names)
        implements Message {
    public Labels {
        Check.req(req);
        Check.name("prior", prior);
        Check.present("kind", kind);
        Check.range("total", total, 0, Bounds.MAX_UINT32);
        Check.range("offset", offset, 0, Bounds.MAX_UINT32);
        names = Check.list("names", names, Bounds.MAX_LIST_ENTRIES);
        for (String n : names) {
            Check.name("names[]", n);
        }
        if (names.size() > Math.max(0, total - offset)) {
            throw Check.bad("names", names.size() + " names from offset " + offset + " run past total " + total);
        }
    }

    @Override
    public MessageType type() {
        return MessageType.LABELS;
    }
}
