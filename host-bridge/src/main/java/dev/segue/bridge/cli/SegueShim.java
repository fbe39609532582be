package dev.segue.bridge.cli;

import java.util.List;

/** What `segue render` knows of the Segue plugin's ports (native-shim/CONTRACT.md). */
final class SegueShim {
    private SegueShim() {}

    static final String URI = "urn:segue:shim";
    static final String STATE_PORT = "state";
    /** The {@code state} output's values, in order: 0 offline ... 6 error. */
    static final List<String> STATES = List.of("offline", "idle", "capturing", "sending", "generating", "ready", "error");
    /** The worker sets ready after it has written the job's stems (and error if it wrote none). */
    static final int OFFLINE = 0;
    static final int READY = 5;
    static final int ERROR = 6;

    static String stateName(float value) {
        int i = Math.round(value);
        return i >= 0 && i < STATES.size() ? STATES.get(i) : "unknown";
    }
}
