package dev.segue.engine.cli;

import java.util.List;
import java.util.Locale;

/**
 * {@code --weights as-stored|fp32|bf16|fp16}, as the benches and the daemon accept it. This is the one place that
 * turns the option's text into what the weight loader takes: today every format loads as fp32 (the loader widens
 * half-precision tensors), so the option is checked and reported but does not yet change the load. Wiring it to
 * the loader's weight format replaces {@link #check} with a parse to that type.
 */
final class WeightFormatHook {
    static final List<String> NAMES = List.of("as-stored", "fp32", "bf16", "fp16");

    private WeightFormatHook() {}

    /** The normalised name; an unknown one is an error listing the known ones. */
    static String check(String name) {
        String n = name == null ? "as-stored" : name.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("--weights: '" + name + "' is not one of " + NAMES);
        }
        return n;
    }

    /** What the loader really holds for a requested format on this build: fp32 for every format today. */
    static String loadedAs(String requested) {
        return "fp32";
    }
}
