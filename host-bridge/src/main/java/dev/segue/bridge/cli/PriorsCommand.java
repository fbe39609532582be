package dev.segue.bridge.cli;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.PriorInfo;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "priors", mixinStandardHelpOptions = true, description = "List the daemon's priors and presets.")
final class PriorsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (DaemonClient client = connection.connectStarting(spec.commandLine().getErr())) {
            client.hello(ConnectionOptions.CLIENT_NAME);
            out.printf("%-24s %6s %11s %6s%n", "PRIOR", "LEVELS", "SAMPLE RATE", "LABELS");
            for (PriorInfo p : client.listPriors()) {
                out.printf("%-24s %6d %8d Hz %6s%n", p.name(), p.levels(), p.sampleRate(), p.labels() ? "yes" : "no");
            }
            out.println();
            out.printf("%-24s %-24s %s%n", "PRESET", "PRIOR", "DESCRIPTION");
            for (PresetInfo p : client.listPresets()) {
                out.printf("%-24s %-24s %s%n", p.name(), p.prior(), p.description());
            }
            out.flush();
        }
        return 0;
    }
}
