package dev.segue.engine.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.zeromq.ZCert;
import org.zeromq.ZConfig;

/**
 * CurveZMQ for a listener other than loopback: the daemon's key pair, and a folder of client public
 * certificates (ZeroMQ's certificate format) that are allowed in. A client whose key is not there is
 * refused during the handshake and never reaches the daemon.
 */
public record CurveSecurity(String serverPublicZ85, String serverSecretZ85, Path allowedClients) {

    /**
     * Reads {@code dir/server.secret} (creating a new key pair, and {@code server.public} to hand to
     * clients, when it is absent) and uses {@code dir/clients/} as the allowlist.
     */
    public static CurveSecurity load(Path dir) throws IOException {
        Path secret = dir.resolve("server.secret");
        Path clients = dir.resolve("clients");
        Files.createDirectories(clients);
        if (!Files.exists(secret)) {
            ZCert cert = new ZCert();
            cert.saveSecret(secret.toString());
            cert.savePublic(dir.resolve("server.public").toString());
        }
        ZConfig config = ZConfig.load(secret.toString());
        String pub = config == null ? null : config.getValue("curve/public-key");
        String sec = config == null ? null : config.getValue("curve/secret-key");
        if (pub == null || sec == null || pub.length() != 40 || sec.length() != 40) {
            throw new IOException(secret + ": not a ZeroMQ secret certificate (curve/public-key, curve/secret-key)");
        }
        return new CurveSecurity(pub, sec, clients);
    }
}
