package dev.segue.bridge.cli;

import dev.segue.bridge.client.DaemonException;
import dev.segue.protocol.ProtocolException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code segue continue | priors | jobs | extend | fetch | cancel | app}: the daemon's command-line client and the
 * companion window; {@code segue render}: a WAV through an LV2 plugin in the JNA host. Exit codes: 0 success,
 * 1 the daemon (or the plugin) failed or could not be reached, 2 bad arguments or input.
 */
@Command(name = "segue", mixinStandardHelpOptions = true, version = "segue host-bridge 0.1.0",
        subcommands = {ContinueCommand.class, PriorsCommand.class, JobsCommand.class, StatsCommand.class, ExtendCommand.class,
            FetchCommand.class, CancelCommand.class, AppCommand.class, RenderCommand.class},
        description = "Talk to the Segue daemon: continue a prime, list priors or jobs, extend, fetch or cancel a job, "
                + "open the app; render a WAV through an LV2 plugin.")
public final class BridgeCli implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_DAEMON = 1;
    public static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE; // a command is required
    }

    public static void main(String... args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command with the given streams and returns its exit code (what tests call). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new BridgeCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(BridgeCli::onFailure);
        return cl.execute(args);
    }

    private static int onFailure(Exception e, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        int code;
        if (e instanceof DaemonException d) {
            err.println("segue: " + describe(d));
            code = EXIT_DAEMON;
        } else if (e instanceof UsageError || e instanceof IllegalArgumentException) {
            err.println("segue: " + e.getMessage());
            code = EXIT_USAGE;
        } else if (e instanceof ProtocolException p) {
            // A record refused a value the user gave (tempo, takes, length...): it names the wire field.
            err.println("segue: invalid request: " + p.text());
            code = EXIT_USAGE;
        } else {
            err.println("segue: " + e);
            code = EXIT_DAEMON;
        }
        err.flush();
        return code;
    }

    private static String describe(DaemonException d) {
        String job = d.job() != null ? " (job " + d.job() + ")" : "";
        return switch (d.kind()) {
            case ERROR_REPLY -> "daemon error " + d.code() + ": " + d.text() + job;
            case TIMEOUT -> "timed out: " + d.text();
            case BAD_REPLY -> "the daemon broke the protocol: " + d.text();
        };
    }
}
