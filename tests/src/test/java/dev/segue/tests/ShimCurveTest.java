package dev.segue.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZCert;

/**
 * The plugin (CLAP build in the test host) against a daemon started with {@code --curve-keys} (on
 * loopback), given the daemon's key as its {@code server.public} file in SEGUE_SERVER_KEY:
 * <ul>
 *   <li>a producer whose client key is in the daemon's {@code clients/} folder generates end to end: the
 *       take plays in place at its bar and its stem is written;</li>
 *   <li>a producer with no key yet gets one made on first use ({@code ~/.config/segue/client.secret}, mode
 *       0600, and {@code client.public} in ZeroMQ's certificate format, the daemon's own format); that key
 *       is not in {@code clients/}, so the daemon lets nothing through: the state output says error (6),
 *       the log says "not authorised" with the key to allow, the input passes through untouched and no
 *       process() call stalls; once its {@code client.public} file is copied into {@code clients/} as it is,
 *       the daemon lets it in.</li>
 * </ul>
 */
class ShimCurveTest {
    private static final Pattern WATCH = Pattern.compile("watch: t=([0-9.]+) state=(\\d+) mismatches=(\\d+) max_block_us=(\\d+)");

    @TempDir
    Path dir;
    @AutoClose
    private PluginRig rig;

    @Test
    void allowedKeyGeneratesAndUnknownKeyIsRefusedCalmly() throws Exception {
        NativeShim.build();
        Path keys = dir.resolve("keys");
        Files.createDirectories(keys.resolve("clients"));
        // The allowed producer already has a key pair (made by ZeroMQ's Java tools, in the same format).
        Path allowedHome = dir.resolve("allowed-home");
        Files.createDirectories(allowedHome.resolve(".config/segue"));
        ZCert producer = new ZCert();
        producer.saveSecret(allowedHome.resolve(".config/segue/client.secret").toString());
        producer.savePublic(keys.resolve("clients/producer.public").toString());

        rig = PluginRig.start(dir, "daemon.log", "--curve-keys", keys.toString());
        Path serverPublic = keys.resolve("server.public");
        String host = NativeShim.TEST_HOST.toString();
        String clap = NativeShim.CLAP.toString();

        // 1. allowed: the whole generate path through CurveZMQ.
        Path stems = rig.stems;
        NativeShim.Run allowed = NativeShim.run(List.of(host, "--save", clap, dir.resolve("p.state").toString()),
                rig.env("HOME", allowedHome.toString(), "SEGUE_SERVER_KEY", serverPublic.toString()), 180);
        assertEquals(0, allowed.exitCode(), allowed.output());
        assertTrue(Files.exists(stems.resolve("track_bar003_400bpm_take1.wav")), allowed.output());
        assertTrue(allowed.output().contains("CurveZMQ client key " + producer.getPublicKeyAsZ85()), allowed.output());

        // 2. a new producer: a key pair is made; the daemon does not know it.
        Path strangerHome = dir.resolve("stranger-home");
        Files.createDirectories(strangerHome);
        NativeShim.Run refused = NativeShim.run(List.of(host, "--watch", clap, "12"),
                rig.env("HOME", strangerHome.toString(), "SEGUE_SERVER_KEY", serverPublic.toString()), 60);
        String out = refused.output();
        assertEquals(0, refused.exitCode(), out);
        Path secret = strangerHome.resolve(".config/segue/client.secret");
        Path pub = strangerHome.resolve(".config/segue/client.public");
        assertTrue(Files.isRegularFile(secret) && Files.isRegularFile(pub), out);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(secret), "the client secret must be private");
        String strangerKey = readPublicKey(pub);
        assertEquals(40, strangerKey.length(), Files.readString(pub));
        assertTrue(out.contains("not authorised") && out.contains(strangerKey), out);
        int lastState = -1;
        int lines = 0;
        for (String line : out.split("\n")) {
            Matcher m = WATCH.matcher(line);
            if (!m.find()) {
                continue;
            }
            lines++;
            assertEquals(0, Long.parseLong(m.group(3)), "the input did not pass through untouched: " + line);
            assertTrue(Long.parseLong(m.group(4)) < 100_000, "a process() call stalled: " + line);
            int state = Integer.parseInt(m.group(2));
            assertFalse(state == 1 || state == 2, "an unknown key must not get connected: " + line);
            lastState = state;
        }
        assertTrue(lines > 20, out);
        assertEquals(6, lastState, "the state output shows the error at the end:\n" + out);

        // 3. the operator copies the plugin's client.public into clients/ (the daemon reads the folder again):
        //    the same producer is let in.
        Files.copy(pub, keys.resolve("clients/stranger.public"));
        NativeShim.Run admitted = NativeShim.run(List.of(host, "--watch", clap, "8"),
                rig.env("HOME", strangerHome.toString(), "SEGUE_SERVER_KEY", serverPublic.toString()), 60);
        assertTrue(admitted.output().contains("segue: connected to " + rig.daemon.endpoint), admitted.output());
    }

    /** The public-key value of a ZeroMQ certificate file, read as the daemon reads it. */
    private static String readPublicKey(Path cert) throws java.io.IOException {
        org.zeromq.ZConfig config = org.zeromq.ZConfig.load(cert.toString());
        String key = config == null ? null : config.getValue("curve/public-key");
        return key == null ? "" : key;
    }
}
