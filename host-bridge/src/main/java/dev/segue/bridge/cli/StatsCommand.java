package dev.segue.bridge.cli;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.protocol.message.Stats;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Show the running daemon's memory, disk use, queue and counters (it is not started for this).")
final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--raw", description = "one `key value` line per field, as on the wire (bytes, milliseconds)")
    boolean raw;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (DaemonClient client = connection.connect()) {
            Stats s = client.stats();
            long[] v = s.values();
            for (int i = 0; i < v.length; i++) {
                String key = Stats.KEYS[i];
                out.printf("%-17s %s%n", key, raw ? Long.toString(v[i]) : human(key, v[i]));
            }
            out.flush();
        }
        return 0;
    }

    private static String human(String key, long v) {
        if (key.endsWith("_bytes")) {
            return String.format("%.1f MB", v / 1e6);
        }
        if (key.endsWith("_ms")) {
            return String.format("%.1f s", v / 1e3);
        }
        return Long.toString(v);
    }
}
