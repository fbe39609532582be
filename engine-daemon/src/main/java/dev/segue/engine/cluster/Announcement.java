package dev.segue.engine.cluster;

import java.util.List;

/** One live worker, as its KV entry (renewed every few seconds, gone once it stops renewing). */
record Announcement(String worker, List<PriorCard> priors, long startedMillis) {}
