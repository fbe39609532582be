package dev.segue.engine.cluster;

import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.server.LabelPages;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.ListLabels;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A worker's answers about the label lists of the priors it holds, for the gateway, which holds no model:
 * a {@code list_labels} page (the request and the reply are protocol messages), or a check of one artist,
 * genre or lyrics text ({@code Segue-Check} header, the value as the body; an empty reply is a pass, a
 * {@code Segue-Error} header the prior's own refusal). Workers holding a prior answer in one queue group,
 * so each question is answered once.
 */
final class LabelDesk {
    static final String QUEUE = "segue-label-desk";

    private LabelDesk() {}

    static Dispatcher open(Connection nc, List<ContinuationEngine> engines) {
        Dispatcher d = nc.createDispatcher();
        for (ContinuationEngine engine : engines) {
            d.subscribe(Names.labels(engine.priorName()), QUEUE, m -> answer(nc, engine, m));
        }
        return d;
    }

    private static void answer(Connection nc, ContinuationEngine engine, Message m) {
        if (m.getReplyTo() == null) {
            return;
        }
        String check = m.getHeaders() == null ? null : m.getHeaders().getFirst("Segue-Check");
        if (check != null) {
            String value = new String(m.getData(), StandardCharsets.UTF_8);
            Headers reply = new Headers();
            try {
                if ("lyrics".equals(check)) {
                    engine.checkLyrics(value);
                } else {
                    engine.checkLabel(check, value);
                }
            } catch (ProtocolException e) {
                reply.put("Segue-Error", e.text());
            } catch (RuntimeException e) {
                reply.put("Segue-Error", "request." + check + ": " + e.getMessage());
            }
            nc.publish(m.getReplyTo(), reply, new byte[0]);
            return;
        }
        try {
            ListLabels ask = (ListLabels) Frames.unpackMessage(m.getData());
            nc.publish(m.getReplyTo(), Frames.pack(LabelPages.page(ask, engine.labelNames(ask.kind()))));
        } catch (RuntimeException e) {
            nc.publish(m.getReplyTo(), Frames.pack(new ErrorReply(0, null, ErrorCode.INTERNAL,
                    "the worker could not page its labels: " + e.getMessage())));
        }
    }
}
