package dev.segue.bridge.cli;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.JobResult;
import dev.segue.bridge.client.TakeNames;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Length;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "extend", mixinStandardHelpOptions = true,
        description = "Continue one take of a finished job further; writes only the new audio, which starts where "
                + "the take ended (bars are at the job's tempo).")
final class ExtendCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "JOB", description = "the job id printed by continue (or by an earlier extend)")
    String job;

    @Option(names = "--take", defaultValue = "1", paramLabel = "K", description = "which take, 1-based (default: ${DEFAULT-VALUE})")
    int take;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ContinueCommand.LengthOptions length;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for the new audio (created if missing)")
    Path out;

    @Option(names = "--timeout-s", defaultValue = "600", paramLabel = "S",
            description = "seconds to wait for the extension (default: ${DEFAULT-VALUE})")
    double timeoutS;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        if (take < 1 || take > 16) {
            throw new UsageError("--take: " + take + " outside 1..16");
        }
        PrintWriter err = spec.commandLine().getErr();
        var timeout = ConnectionOptions.seconds("--timeout-s", timeoutS);
        Length asked = length.seconds != null ? new Length.Seconds(length.seconds) : new Length.Bars(length.bars);
        try (DaemonClient client = connection.connectStarting(err)) {
            client.hello(ConnectionOptions.CLIENT_NAME);
            Accepted accepted = client.extend(job, take - 1, asked);
            err.println("job " + accepted.job() + " accepted (extends " + job + " take " + take + ")");
            err.flush();
            ProgressLine progress = new ProgressLine(err);
            JobResult result;
            try {
                result = client.awaitJob(accepted.job(), progress, timeout);
            } finally {
                progress.finish();
            }
            TakeFiles.write(result, out, TakeNames.forJob(accepted.job()), spec.commandLine().getOut(), err);
        }
        return 0;
    }
}
