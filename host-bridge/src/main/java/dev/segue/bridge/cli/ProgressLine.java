package dev.segue.bridge.cli;

import dev.segue.bridge.client.JobListener;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/** Job progress rewritten in place on one stderr line, so stdout stays the list of written files. */
final class ProgressLine implements JobListener {
    private final PrintWriter err;
    private int previews;
    private int width;

    ProgressLine(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void onProgress(Progress p) {
        long eta = p.etaMs() / 1000;
        show(String.format(Locale.ROOT, "level %d: %d/%d tokens (%d%%), eta %d:%02d%s", p.level(), p.tokensDone(),
                p.tokensTotal(), 100 * p.tokensDone() / p.tokensTotal(), eta / 60, eta % 60,
                previews > 0 ? ", " + previews + " previews" : ""));
    }

    @Override
    public void onPreview(Preview p) {
        previews++;
    }

    /** Ends the line so later output starts on a fresh one. */
    void finish() {
        if (width > 0) {
            err.println();
            err.flush();
            width = 0;
        }
    }

    private void show(String line) {
        // Pad over the previous, possibly longer, line instead of relying on terminal escape codes.
        err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
        err.flush();
        width = line.length();
    }
}
