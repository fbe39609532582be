package dev.segue.bridge.cli;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.protocol.message.JobInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "List the daemon's recent jobs, newest first; `segue fetch JOB` downloads one again.")
final class JobsCommand implements Callable<Integer> {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (DaemonClient client = connection.connectStarting(spec.commandLine().getErr())) {
            client.hello(ConnectionOptions.CLIENT_NAME);
            out.printf("%-28s %-9s %5s %-19s %s%n", "JOB", "STATE", "TAKES", "CREATED (UTC)", "WHAT");
            for (JobInfo j : client.listJobs()) {
                out.printf("%-28s %-9s %2d/%-2d %-19s %s%n", j.job(), j.state().wire(), j.takesDone(), j.candidates(),
                        WHEN.format(Instant.ofEpochMilli(j.createdMs())), j.label());
            }
            out.flush();
        }
        return 0;
    }
}
