package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/**
 * Client opens a session. Always sent with {@code v = 1} whatever the client speaks; the highest
 * version it speaks goes in {@code wantVersion} and the daemon picks one in {@code capabilities}.
 */
public record Hello(long req, String client, String clientVersion, int wantVersion) implements Message {
    public Hello {
        Check.req(req);
        Check.name("client", client);
        Check.name("client_version", clientVersion);
        Check.range("want_version", wantVersion, 1, Bounds.MAX_WANT_VERSION);
    }

    @Override
    public MessageType type() {
        return MessageType.HELLO;
    }
}
