package dev.segue.bridge.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.zeromq.ZConfig;

/**
 * What a client needs to reach a daemon that listens with CurveZMQ: the daemon's public key (its
 * {@code server.public} certificate) and this client's own key pair (a secret certificate whose public
 * half the daemon's operator has put in its allowlist).
 */
public record CurveKeys(String serverPublicZ85, String clientPublicZ85, String clientSecretZ85) {

    public static CurveKeys load(Path serverPublicCert, Path clientSecretCert) throws IOException {
        String server = read(serverPublicCert, "curve/public-key");
        return new CurveKeys(server, read(clientSecretCert, "curve/public-key"),
                read(clientSecretCert, "curve/secret-key"));
    }

    private static String read(Path cert, String key) throws IOException {
        if (!Files.isRegularFile(cert) || Files.size(cert) > 64 * 1024) {
            throw new IOException(cert + ": not a ZeroMQ certificate file");
        }
        ZConfig config = ZConfig.load(cert.toString());
        String value = config == null ? null : config.getValue(key);
        if (value == null || value.length() != 40) {
            throw new IOException(cert + ": has no " + key);
        }
        return value;
    }
}
