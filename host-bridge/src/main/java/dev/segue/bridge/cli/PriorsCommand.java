package dev.segue.bridge.cli;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.PriorInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "priors", mixinStandardHelpOptions = true,
        description = "List the daemon's priors and presets, or with --labels a prior's artists and genres.")
final class PriorsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--labels", paramLabel = "PRIOR",
            description = "List the artist and genre names PRIOR knows (what --artist and --genre of continue take), "
                    + "in its lists' order.")
    String labelsOf;

    @Option(names = "--kind", paramLabel = "KIND", converter = Converters.LabelKindConverter.class,
            description = "With --labels: only this list, artist or genre (default: both).")
    LabelKind kind;

    @Override
    public Integer call() throws Exception {
        if (kind != null && labelsOf == null) {
            throw new UsageError("--kind needs --labels PRIOR");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (DaemonClient client = connection.connectStarting(spec.commandLine().getErr())) {
            client.hello(ConnectionOptions.CLIENT_NAME);
            if (labelsOf != null) {
                printLabels(client, out);
            } else {
                printPriorsAndPresets(client, out);
            }
            out.flush();
        }
        return 0;
    }

    private void printPriorsAndPresets(DaemonClient client, PrintWriter out) throws Exception {
        out.printf("%-24s %6s %11s %6s %9s %6s  %s%n", "PRIOR", "LEVELS", "SAMPLE RATE", "LABELS", "SIZE", "LOADED",
                "TIERS");
        for (PriorInfo p : client.listPriors()) {
            // Size, loaded state and tiers are optional in the protocol: "-" when the daemon does not say.
            String size = p.weightBytes() == null ? "-" : String.format(Locale.ROOT, "%.2f GB", p.weightBytes() / 1e9);
            String loaded = p.loaded() == null ? "-" : p.loaded() ? "yes" : "no";
            out.printf("%-24s %6d %8d Hz %6s %9s %6s  %s%n", p.name(), p.levels(), p.sampleRate(),
                    p.labels() ? "yes" : "no", size, loaded, PriorChoice.tiers(p));
        }
        out.println();
        out.printf("%-24s %-24s %s%n", "PRESET", "PRIOR", "DESCRIPTION");
        for (PresetInfo p : client.listPresets()) {
            out.printf("%-24s %-24s %s%n", p.name(), p.prior(), p.description());
        }
    }

    /** One heading per list ("ARTISTS of PRIOR (N)"), then its names, one per line, in the model's order. */
    private void printLabels(DaemonClient client, PrintWriter out) throws Exception {
        List<LabelKind> kinds = kind == null ? List.of(LabelKind.ARTIST, LabelKind.GENRE) : List.of(kind);
        for (int i = 0; i < kinds.size(); i++) {
            LabelKind k = kinds.get(i);
            List<String> names = client.listLabels(labelsOf, k);
            if (i > 0) {
                out.println();
            }
            out.printf("%sS of %s (%d)%n", k.wire().toUpperCase(Locale.ROOT), labelsOf, names.size());
            if (names.isEmpty()) {
                out.printf("  (none: the prior ships no %s list; leave --%s out)%n", k.wire(), k.wire());
            }
            for (String n : names) {
                out.println("  " + n);
            }
        }
    }
}
