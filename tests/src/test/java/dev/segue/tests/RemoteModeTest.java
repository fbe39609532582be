package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZCert;

/**
 * The daemon with CurveZMQ keys, as processes (on loopback: tests send no traffic elsewhere): a client
 * whose key is on the allowlist is served; a plain client and a client with an unknown key get nothing.
 */
class RemoteModeTest {
    @TempDir
    Path dir;
    @AutoClose
    private DaemonProcess daemon;

    private int priors(String log, String... extra) throws Exception {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("priors", "--endpoint",
                daemon.endpoint, "--reply-timeout-s", "3", "--no-start"));
        args.addAll(java.util.List.of(extra));
        Process p = new ProcessBuilder(SeguePart.bridge(args.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client did not finish");
        return p.exitValue();
    }

    @Test
    void onlyAllowedKeysAreServed() throws Exception {
        Path keys = dir.resolve("keys");
        Files.createDirectories(keys.resolve("clients"));
        ZCert producer = new ZCert();
        producer.savePublic(keys.resolve("clients/producer.public").toString());
        producer.saveSecret(dir.resolve("producer.secret").toString());
        new ZCert().saveSecret(dir.resolve("stranger.secret").toString());

        daemon = new DaemonProcess(dir);
        daemon.start("daemon.log", "--curve-keys", keys.toString());
        Path serverPublic = keys.resolve("server.public");
        assertTrue(Files.isRegularFile(serverPublic), "the daemon made its key pair");

        assertEquals(0, priors("allowed.log", "--curve-server-key", serverPublic.toString(), "--curve-key",
                dir.resolve("producer.secret").toString()), Files.readString(dir.resolve("allowed.log")));
        assertTrue(Files.readString(dir.resolve("allowed.log")).contains("sketch"));
        assertNotEquals(0, priors("plain.log"), "a client without CurveZMQ is not served");
        assertNotEquals(0, priors("stranger.log", "--curve-server-key", serverPublic.toString(), "--curve-key",
                dir.resolve("stranger.secret").toString()), "an unknown key is not served");
    }

    @Test
    void offLoopbackWithoutKeysTheDaemonRefusesToStart() throws Exception {
        Process p = new ProcessBuilder(SeguePart.engine("daemon", "--endpoint", "tcp://0.0.0.0:5599", "--data",
                dir.resolve("data").toString())).redirectErrorStream(true)
                .redirectOutput(dir.resolve("refused.log").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertTrue(Files.readString(dir.resolve("refused.log")).contains("CurveZMQ"));
    }
}
