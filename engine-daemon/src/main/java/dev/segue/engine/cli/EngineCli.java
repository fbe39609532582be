package dev.segue.engine.cli;

import dev.segue.engine.nn.Djl;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The engine-side commands behind {@code ./segue}: the ones that load models in this JVM. */
@Command(name = "segue", mixinStandardHelpOptions = true, version = "segue 0.1.0",
        description = "Segue engine commands.",
        subcommands = {DaemonCommand.class, GatewayCommand.class, ConformanceCommand.class, ConvertCommand.class, BenchCommand.class,
                TrainCommand.class, CorpusCommand.class, EvalCommand.class})
public final class EngineCli implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        Djl.configureOffline();
        int code = new CommandLine(new EngineCli()).execute(args);
        System.exit(code);
    }
}
