package dev.segue.bridge.cli;

/** What `segue render` knows of the Segue plugin's ports (native-shim's CONTRACT.md). */
final class SegueShim {
    private SegueShim() {}

    /** Output {@code state} value once the fired job's takes are written (to confirm against the shim). */
    static final String READY_CONDITION = "state=3";
}
