package dev.segue.engine.cluster;

import dev.segue.protocol.message.Message;

/** Where any gateway thread leaves a message for a client; the socket thread alone sends it. */
interface Outbox {
    void send(byte[] client, Message m);
}
