package dev.segue.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The plugin (native-shim/) built once per test run with its Makefile, and helpers to run tools on it. */
final class NativeShim {
    static final Path DIR = SeguePart.ROOT.resolve("native-shim");
    static final Path BIN = DIR.resolve("build/bin");
    static final Path LV2 = BIN.resolve("segue-shim.lv2");
    static final Path CLAP = BIN.resolve("segue-shim.clap");
    /** The CLAP test host of native-shim/tests/clap_host.c (--rt, --bench, --watch, --save, --load). */
    static final Path TEST_HOST = DIR.resolve("build/tests/clap_host");
    private static String buildLog;

    private NativeShim() {}

    record Run(int exitCode, String output) {}

    /** Builds the bundles and the CLAP test host once; later calls reuse the result. */
    static synchronized void build() throws Exception {
        if (buildLog == null) {
            Run run = run(List.of("make", "-C", DIR.toString(), "-j2", "all", "build/tests/clap_host"), Map.of(), 600);
            buildLog = run.output();
            if (run.exitCode() != 0) {
                throw new AssertionError("make -C native-shim all failed (./segue test installs dpf-source and the "
                        + "static libraries):\n" + buildLog);
            }
        }
    }

    /** Runs a command to completion (output merged), killing it after timeoutSeconds. */
    static Run run(List<String> command, Map<String, String> env, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("segue-shim", ".log");
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        Files.deleteIfExists(log);
        return new Run(p.exitValue(), out);
    }
}
