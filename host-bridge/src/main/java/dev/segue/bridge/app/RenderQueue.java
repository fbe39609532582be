package dev.segue.bridge.app;

import dev.segue.bridge.app.view.Peaks;
import dev.segue.bridge.app.view.Spectrogram;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javax.swing.SwingUtilities;

/** Computes waveform overviews and spectrograms on one background thread, never on the EDT. */
final class RenderQueue implements AutoCloseable {
    static final int PEAK_BUCKETS = 4096;
    static final int SPECTROGRAM_COLUMNS = 1024;
    static final int SPECTROGRAM_ROWS = 96;

    record Rendered(Peaks peaks, Spectrogram spectrogram) {}

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "segue-app-render");
        t.setDaemon(true);
        t.setPriority(Thread.NORM_PRIORITY - 1);
        return t;
    });

    /** Renders on the queue's thread, then hands the result to {@code onEdt} on the EDT. */
    void render(float[] interleaved, int channels, int sampleRate, Consumer<Rendered> onEdt) {
        thread.execute(() -> {
            Rendered r = new Rendered(Peaks.of(interleaved, channels, PEAK_BUCKETS),
                    Spectrogram.of(interleaved, channels, sampleRate, SPECTROGRAM_COLUMNS, SPECTROGRAM_ROWS));
            SwingUtilities.invokeLater(() -> onEdt.accept(r));
        });
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
