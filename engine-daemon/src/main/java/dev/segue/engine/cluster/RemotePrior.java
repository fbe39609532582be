package dev.segue.engine.cluster;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Quality;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A prior some live worker holds, as the gateway sees it: its announced card, and its label checks asked of
 * one of those workers. It answers every question a request's checks ask, and no more: it makes no audio.
 */
final class RemotePrior implements ContinuationEngine {
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

    private final PriorCard card;
    private final Connection nc;

    RemotePrior(PriorCard card, Connection nc) {
        this.card = card;
        this.nc = nc;
    }

    public String priorName() {
        return card.name();
    }

    public int sampleRate() {
        return card.sampleRate();
    }

    public int levels() {
        return card.levels();
    }

    public boolean labels() {
        return card.labels();
    }

    @Override
    public boolean lyrics() {
        return card.lyrics();
    }

    @Override
    public boolean supports(Quality quality) {
        return card.tiers().contains(quality.wire());
    }

    public double maxContinuationSeconds() {
        return card.maxContinuationSeconds();
    }

    @Override
    public Long weightBytes() {
        return card.weightBytes();
    }

    @Override
    public Boolean loaded() {
        return card.loaded();
    }

    @Override
    public double minPrimeSeconds() {
        return card.minPrimeSeconds();
    }

    @Override
    public void checkLabel(String kind, String name) {
        ask(kind, name);
    }

    @Override
    public void checkLyrics(String lyrics) {
        ask("lyrics", lyrics);
    }

    /** A worker holding the prior checks the value against the prior's own lists and rules. */
    private void ask(String kind, String value) {
        Message reply = askWorker(nc, card.name(), new Headers().put("Segue-Check", kind),
                value.getBytes(StandardCharsets.UTF_8));
        String error = reply.getHeaders() == null ? null : reply.getHeaders().getFirst("Segue-Error");
        if (error != null) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, error);
        }
    }

    /** One question to a worker holding {@code prior}; INTERNAL when none answers in time. */
    static Message askWorker(Connection nc, String prior, Headers headers, byte[] body) {
        Message reply = null;
        try {
            reply = nc.request(Names.labels(prior), headers, body, ASK_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            reply = null; // no responders, or the connection is away
        }
        if (reply == null || reply.isStatusMessage()) {
            throw new ProtocolException(ErrorCode.INTERNAL, "no worker holding prior '" + prior + "' answered within "
                    + ASK_TIMEOUT.toSeconds() + " s");
        }
        return reply;
    }

    @Override
    public Takes continueTakes(float[] prime, int rate, long frames, GenerationRequest r, DawContext context,
                               Monitor monitor) {
        throw new UnsupportedOperationException("a gateway's prior makes no audio; its workers do");
    }
}
