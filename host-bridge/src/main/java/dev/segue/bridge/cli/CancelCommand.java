package dev.segue.bridge.cli;

import dev.segue.bridge.client.DaemonClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "cancel", mixinStandardHelpOptions = true, description = "Stop a queued or running job.")
final class CancelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "JOB", description = "the job id printed by continue")
    String job;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        try (DaemonClient client = connection.connect()) {
            client.hello(ConnectionOptions.CLIENT_NAME);
            String what = switch (client.cancel(job)) {
                case CANCELLED -> "cancelled job " + job;
                case ALREADY_DONE -> "job " + job + " had already finished; its takes are kept (./segue fetch " + job + ")";
            };
            spec.commandLine().getOut().println(what);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
