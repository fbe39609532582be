package dev.segue.engine.cluster;

import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.message.Quality;
import java.util.ArrayList;
import java.util.List;

/**
 * What a worker tells the cluster about one prior it holds: everything the gateway needs to check a request
 * the way a lone daemon would, without the model, and what it lists of the prior (its weight in memory, and
 * whether it was loaded when the worker announced itself).
 */
record PriorCard(String name, int levels, int sampleRate, boolean labels, boolean lyrics, List<String> tiers,
                 double maxContinuationSeconds, double minPrimeSeconds, Long weightBytes, Boolean loaded) {

    static PriorCard of(ContinuationEngine e) {
        List<String> tiers = new ArrayList<>();
        for (Quality q : Quality.values()) {
            if (e.supports(q)) {
                tiers.add(q.wire());
            }
        }
        return new PriorCard(e.priorName(), e.levels(), e.sampleRate(), e.labels(), e.lyrics(), List.copyOf(tiers),
                e.maxContinuationSeconds(), e.minPrimeSeconds(), e.weightBytes(), e.loaded());
    }
}
