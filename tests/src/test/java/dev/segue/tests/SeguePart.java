package dev.segue.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for the packaged parts, as ./segue runs them. */
final class SeguePart {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path SHARED = Path.of(System.getProperty("segue.shared", ROOT.resolve("../shared").toString()));

    private SeguePart() {}

    static List<String> engine(String... args) throws IOException {
        return java("engine-daemon", "segue-engine-daemon", "dev.segue.engine.cli.EngineCli", args);
    }

    static List<String> bridge(String... args) throws IOException {
        return java("host-bridge", "segue-host-bridge", "dev.segue.bridge.cli.BridgeCli", args);
    }

    private static List<String> java(String module, String artifact, String main, String... args) throws IOException {
        Path target = ROOT.resolve(module).resolve("target");
        Path jar = target.resolve(artifact + "-0.1.0-SNAPSHOT.jar");
        Path classpath = target.resolve("classpath.txt");
        if (!Files.isRegularFile(jar) || !Files.isRegularFile(classpath)) {
            throw new IllegalStateException(module + " is not packaged (" + jar + "); run ./segue test");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true", "-Dsegue.home=" + ROOT,
                "-Dsegue.shared=" + SHARED, "-cp", jar + ":" + Files.readString(classpath).trim(), main));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
