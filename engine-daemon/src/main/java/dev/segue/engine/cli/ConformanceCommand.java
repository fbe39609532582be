package dev.segue.engine.cli;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.CheckpointException;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.config.ConfigException;
import dev.segue.engine.conformance.ConformanceRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = "Check the model code against reference outputs: one PASS/FAIL line per check; "
                + "exit 1 on any failure.")
final class ConformanceCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Fixture directories laid out like jukebox-ref/.")
    List<Path> dirs;

    @picocli.CommandLine.Option(names = "--device", defaultValue = "cpu", description = "Where the checks run: cpu (the "
            + "default), auto, cuda or cuda:N (the CUDA path is unverified until ./segue gpu-check passes on a GPU).")
    String device;

    @Option(names = "--weights", paramLabel = "FORMAT", defaultValue = "fp32", converter = WeightFormatConverter.class,
            description = "Precision the priors' matrices are held in: fp32 (default), as-stored, bf16, fp16. "
                    + "bf16/fp16 are checked against a tolerance derived from the format's precision.")
    WeightFormat weights;

    @Override
    public Integer call() {
        boolean ok = true;
        dev.segue.engine.resident.ComputeDevice on;
        try {
            on = dev.segue.engine.resident.ComputeDevice.choose(device);
        } catch (IllegalArgumentException e) {
            System.err.println("conformance: " + e.getMessage());
            return 2;
        }
        System.out.println("conformance on " + on.describe());
        try (NDManager root = on.newManager()) {
            for (Path dir : dirs) {
                System.out.println("== " + dir + " (weights " + weights + ")");
                if (!Files.isRegularFile(dir.resolve("config.json"))) {
                    System.out.println("FAIL " + dir + ": no config.json");
                    ok = false;
                    continue;
                }
                try {
                    ok &= new ConformanceRunner(dir, System.out, weights).run(root);
                } catch (CheckpointException | ConfigException | IllegalArgumentException e) {
                    System.out.println("FAIL " + e.getMessage());
                    ok = false;
                }
            }
        }
        System.out.println(ok ? "conformance: all checks passed" : "conformance: FAILED");
        return ok ? 0 : 1;
    }
}
