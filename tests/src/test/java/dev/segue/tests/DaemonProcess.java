package dev.segue.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** `segue daemon` as a real process on a loopback port, with its log in a file. */
final class DaemonProcess implements AutoCloseable {
    final String endpoint = FreePort.loopbackEndpoint();
    private final Path dir;
    private Process process;

    DaemonProcess(Path dir) {
        this.dir = dir;
    }

    /** Starts (or restarts) the daemon on the same port and data folder; returns once it listens. */
    void start(String log, String... extra) throws Exception {
        Path logFile = dir.resolve(log);
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("daemon", "--endpoint", endpoint,
                "--data", dir.resolve("data").toString()));
        args.addAll(java.util.List.of(extra));
        process = new ProcessBuilder(SeguePart.engine(args.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (Files.exists(logFile) && Files.readString(logFile).contains("listening on " + endpoint)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("daemon exited:\n" + Files.readString(logFile));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("daemon did not start:\n" + Files.readString(logFile));
    }

    /** SIGTERM: the daemon's orderly shutdown; returns its exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("daemon did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no chance to tidy up. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            kill();
        }
    }
}
