package dev.segue.engine.server;

import dev.segue.protocol.ErrorCode;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Bad messages in the log without letting a client flood it: the first {@link #LOGGED_PER_MINUTE} from a client in
 * a minute are logged (their text escaped, see {@link LogText}), the rest only counted, and once a minute one line
 * says how many were not logged. Requests dropped unanswered (a client that reads nothing) are counted the same way.
 * Refused requests (well-formed, but naming an unknown job, prior or the like) are logged the same way, at INFO.
 */
final class BadMessageLog {
    static final int LOGGED_PER_MINUTE = 5;
    private static final long MINUTE_NANOS = 60_000_000_000L;
    /** Clients remembered at once; the oldest is forgotten past this (its counts are summarised first). */
    private static final int MAX_CLIENTS = 1024;

    private static final class Counts {
        long windowStart;
        int loggedInWindow;
        long suppressed;
        long unanswered;
    }

    private final Logger log;
    private final Map<String, Counts> byClient = new LinkedHashMap<>();
    private long total;
    private long unansweredTotal;
    private long lastSummary = System.nanoTime();

    BadMessageLog(Logger log) {
        this.log = log;
    }

    /** Requests dropped unanswered since the daemon started. */
    synchronized long unansweredTotal() {
        return unansweredTotal;
    }

    /** Every bad message seen since the daemon started. */
    synchronized long total() {
        return total;
    }

    synchronized void bad(byte[] client, ErrorCode code, String text) {
        total++;
        if (allowed(client)) {
            log.warn("bad message from client {}: {} {}", id(client), code, LogText.of(text));
        }
    }

    /** A well-formed request the daemon refused. */
    synchronized void refused(byte[] client, String type, long req, ErrorCode code, String text) {
        if (allowed(client)) {
            log.info("refused {} req {} from client {}: {} {}", type, req, id(client), code, LogText.of(text));
        }
    }

    /** Whether this client's next line is logged, or only counted. */
    private boolean allowed(byte[] client) {
        Counts c = counts(client);
        long now = System.nanoTime();
        if (now - c.windowStart > MINUTE_NANOS) {
            c.windowStart = now;
            c.loggedInWindow = 0;
        }
        if (c.loggedInWindow < LOGGED_PER_MINUTE) {
            c.loggedInWindow++;
            return true;
        }
        c.suppressed++;
        return false;
    }

    synchronized void unanswered(byte[] client) {
        unansweredTotal++;
        counts(client).unanswered++;
    }

    /** Once a minute: one line per client whose messages were counted but not logged. */
    synchronized void summarise() {
        long now = System.nanoTime();
        if (now - lastSummary < MINUTE_NANOS) {
            return;
        }
        lastSummary = now;
        byClient.forEach(this::report);
        byClient.clear();
    }

    private void report(String client, Counts c) {
        if (c.suppressed > 0) {
            log.warn("client {}: {} more bad or refused messages in the last minute, not logged one by one", client, c.suppressed);
        }
        if (c.unanswered > 0) {
            log.warn("client {}: {} requests dropped unanswered: it had {} or more replies waiting unread", client,
                    c.unanswered, 2 * Outbox.MAX_UNREAD);
        }
    }

    private Counts counts(byte[] client) {
        String key = id(client);
        Counts c = byClient.get(key);
        if (c == null) {
            if (byClient.size() >= MAX_CLIENTS) {
                var oldest = byClient.entrySet().iterator().next();
                report(oldest.getKey(), oldest.getValue());
                byClient.remove(oldest.getKey());
            }
            c = new Counts();
            c.windowStart = System.nanoTime();
            byClient.put(key, c);
        }
        return c;
    }

    /** A ROUTER identity as log text: hex, so it cannot carry anything else. */
    static String id(byte[] client) {
        return HexFormat.of().formatHex(client, 0, Math.min(client.length, 16));
    }
}
