package dev.segue.bridge.cli;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.JobResult;
import dev.segue.bridge.client.TakeNames;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = "Download a job's takes again (the daemon keeps them, also across restarts).")
final class FetchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "JOB", description = "the job id printed by continue")
    String job;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for the takes (created if missing)")
    Path out;

    @Option(names = "--timeout-s", defaultValue = "600", paramLabel = "S",
            description = "seconds to wait, should the job still be running (default: ${DEFAULT-VALUE})")
    double timeoutS;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        var timeout = ConnectionOptions.seconds("--timeout-s", timeoutS);
        try (DaemonClient client = connection.connectStarting(spec.commandLine().getErr())) {
            client.hello(ConnectionOptions.CLIENT_NAME);
            ProgressLine progress = new ProgressLine(spec.commandLine().getErr());
            JobResult result;
            try {
                result = client.fetch(job, progress, timeout);
            } finally {
                progress.finish();
            }
            TakeFiles.write(result, out, TakeNames.forJob(job), spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        return 0;
    }
}
