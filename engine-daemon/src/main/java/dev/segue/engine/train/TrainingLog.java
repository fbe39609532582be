package dev.segue.engine.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Metrics as JSON lines (one object per logged step, appended, so a resumed run continues the same file)
 * and a one-line progress bar on the terminal: redrawn in place on a console, printed as plain lines at
 * the log interval otherwise (a nohup log stays readable).
 */
final class TrainingLog implements AutoCloseable {
    private static final int BAR = 30;
    private final ObjectMapper json = new ObjectMapper();
    private final BufferedWriter metrics;
    private final PrintStream terminal;
    private final boolean console;
    private final String stage;
    private final long total;
    private final long started = System.nanoTime();
    private final long firstStep;

    TrainingLog(Path metricsFile, String stage, long firstStep, long total, PrintStream terminal) throws IOException {
        this.metrics = Files.newBufferedWriter(metricsFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        this.terminal = terminal;
        this.console = System.console() != null;
        this.stage = stage;
        this.total = total;
        this.firstStep = firstStep;
    }

    /** Records one step's metrics (in insertion order) and, when {@code show}, redraws the bar. */
    void step(long step, Map<String, Double> values, boolean show) throws IOException {
        ObjectNode row = json.createObjectNode();
        row.put("stage", stage);
        row.put("step", step);
        row.put("elapsed_s", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
        values.forEach(row::put);
        metrics.write(json.writeValueAsString(row));
        metrics.newLine();
        metrics.flush();
        if (show || console) {
            terminal.print(bar(step, values) + (console ? "\r" : "\n"));
            terminal.flush();
        }
    }

    private String bar(long step, Map<String, Double> values) {
        int filled = (int) (BAR * step / Math.max(1, total));
        double perStep = (System.nanoTime() - started) / 1e9 / Math.max(1, step - firstStep);
        long etaS = Math.round(perStep * (total - step));
        StringBuilder b = new StringBuilder(stage).append(" [");
        for (int i = 0; i < BAR; i++) {
            b.append(i < filled ? '#' : '.');
        }
        b.append("] ").append(step).append('/').append(total);
        Double loss = values.get("loss");
        if (loss != null) {
            b.append(String.format(" loss %.4f", loss));
        }
        b.append(String.format(" %.2f s/step eta %dm%02ds", perStep, etaS / 60, etaS % 60));
        return b.toString();
    }

    void message(String text) {
        if (console) {
            terminal.println();
        }
        terminal.println(stage + ": " + text);
    }

    @Override
    public void close() throws IOException {
        if (console) {
            terminal.println();
        }
        metrics.close();
    }
}
