package dev.segue.protocol.message;

import java.util.Optional;

/** The {@code type} field: wire name, and whether frame 1 (audio) is required (else forbidden). */
public enum MessageType {
    HELLO("hello", false),
    CAPABILITIES("capabilities", false),
    LIST_PRIORS("list_priors", false),
    PRIORS("priors", false),
    LIST_PRESETS("list_presets", false),
    PRESETS("presets", false),
    SUBMIT("submit", true),
    ACCEPTED("accepted", false),
    PROGRESS("progress", false),
    PREVIEW("preview", true),
    RESULT("result", true),
    DONE("done", false),
    ERROR("error", false),
    CANCEL("cancel", false),
    EXTEND("extend", false),
    FETCH("fetch", false),
    HEARTBEAT("heartbeat", false),
    LIST_JOBS("list_jobs", false),
    JOBS("jobs", false),
    LIST_LABELS("list_labels", false),
    LABELS("labels", false),
    GET_STATS("get_stats", false),
    STATS("stats", false);

    private final String wire;
    private final boolean audio;

    MessageType(String wire, boolean audio) {
        this.wire = wire;
        this.audio = audio;
    }

    public String wire() {
        return wire;
    }

    public boolean carriesAudio() {
        return audio;
    }

    public static Optional<MessageType> fromWire(String s) {
        for (MessageType t : values()) {
            if (t.wire.equals(s)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
