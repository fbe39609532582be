package dev.segue.protocol.message;

import java.util.Optional;

/** Which of a labelled prior's name lists a {@code list_labels} asks for. Wire form: the lower-case name. */
public enum LabelKind {
    ARTIST, GENRE;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<LabelKind> fromWire(String s) {
        for (LabelKind k : values()) {
            if (k.wire().equals(s)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
