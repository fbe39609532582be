package dev.segue.bridge.cli;

import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.DaemonException;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Quality;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The prior and preset a submit names, from what the user gave and what the daemon has. A submit
 * must name both, and its temperatures must match the prior's level count, so the CLI asks the
 * daemon rather than guessing: --preset alone implies its prior; --prior alone takes the first
 * preset for it; neither takes the daemon's first prior.
 */
record PriorChoice(PriorInfo prior, String preset) {

    /** A preset that allows every tier the prior has; the default preset when a deeper tier is asked for. */
    static final String ALL_TIERS_PRESET = "studio";

    static PriorChoice pick(DaemonClient client, String priorName, String presetName) throws DaemonException {
        return pick(client, priorName, presetName, Quality.SKETCH);
    }

    static PriorChoice pick(DaemonClient client, String priorName, String presetName, Quality quality)
            throws DaemonException {
        List<PriorInfo> priors = client.listPriors();
        List<PresetInfo> presets = client.listPresets();
        PresetInfo givenPreset = presetName == null ? null : presets.stream()
                .filter(x -> x.name().equals(presetName)).findFirst()
                .orElseThrow(() -> new UsageError("--preset: the daemon has no preset '" + presetName
                        + "' (it has: " + names(presets.stream().map(PresetInfo::name).toList()) + ")"));
        String wanted = priorName != null ? priorName
                : givenPreset != null ? givenPreset.prior()
                : priors.isEmpty() ? null : priors.get(0).name();
        if (wanted == null) {
            throw new UsageError("the daemon has no priors to sample from");
        }
        PriorInfo prior = priors.stream().filter(x -> x.name().equals(wanted)).findFirst()
                .orElseThrow(() -> new UsageError("--prior: the daemon has no prior '" + wanted
                        + "' (it has: " + names(priors.stream().map(PriorInfo::name).toList()) + ")"));
        // A daemon that says the deepest tier a prior serves lets a deeper one be refused here, before the prime
        // is sent; one that does not refuses it in words after.
        if (prior.maxQuality() != null && quality.compareTo(prior.maxQuality()) > 0) {
            throw new UsageError("--tier " + quality.wire() + ": prior '" + wanted + "' serves " + tiers(prior)
                    + " (./segue priors lists each prior's tiers)");
        }
        List<String> forPrior = presets.stream().filter(x -> x.prior().equals(wanted)).map(PresetInfo::name).toList();
        String preset = givenPreset != null ? givenPreset.name()
                : quality != Quality.SKETCH && forPrior.contains(ALL_TIERS_PRESET) ? ALL_TIERS_PRESET
                : forPrior.stream().findFirst()
                .orElseThrow(() -> new UsageError("the daemon has no preset for prior '" + wanted
                        + "'; pass --preset (./segue priors lists them)"));
        return new PriorChoice(prior, preset);
    }

    /** One temperature for every level, or exactly one per level, top level first. */
    List<Double> temperatures(List<Double> given) {
        if (given.size() == prior.levels()) {
            return given;
        }
        if (given.size() != 1) {
            throw new UsageError("--temperature: " + given.size() + " values, prior '" + prior.name() + "' has "
                    + prior.levels() + " levels (give 1 value or " + prior.levels() + ")");
        }
        List<Double> all = new ArrayList<>();
        for (int i = 0; i < prior.levels(); i++) {
            all.add(given.get(0));
        }
        return all;
    }

    /** The tiers a prior serves, "sketch,draft"; "-" when the daemon does not say. */
    static String tiers(PriorInfo prior) {
        if (prior.maxQuality() == null) {
            return "-";
        }
        return java.util.Arrays.stream(Quality.values()).filter(q -> q.compareTo(prior.maxQuality()) <= 0)
                .map(Quality::wire).collect(Collectors.joining(","));
    }

    private static String names(List<String> names) {
        return names.isEmpty() ? "none" : names.stream().collect(Collectors.joining(", "));
    }
}
