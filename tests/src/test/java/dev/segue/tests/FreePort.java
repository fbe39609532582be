package dev.segue.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback endpoint on a port the system says is free now. A random port in a fixed range can be an ephemeral port
 * already in use by another connection, and the daemon started on it then exits with "Address already in use".
 */
final class FreePort {
    private FreePort() {}

    static String loopbackEndpoint() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "tcp://127.0.0.1:" + probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
