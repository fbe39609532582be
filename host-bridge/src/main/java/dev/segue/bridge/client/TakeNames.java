package dev.segue.bridge.client;

import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * File names for takes, made to be dragged onto a timeline: {@code <clip>_bar<NNN>_<BPM>bpm_take<K>.wav}
 * says where the take belongs (the bar it starts on, 1-based like a DAW's ruler) and at what tempo. Without
 * that context (a fetch by job id), {@code <job>_take<K>.wav}. The CLI and the companion app both name
 * takes this way, as the plugin names its stems.
 */
public final class TakeNames {
    private TakeNames() {}

    public static IntFunction<String> forClip(String clip, double startBar, double bpm) {
        String prefix = safe(clip) + "_bar" + bar(startBar) + "_" + number(bpm) + "bpm";
        return candidate -> String.format(Locale.ROOT, "%s_take%d.wav", prefix, candidate + 1);
    }

    /**
     * A take named from what the daemon says about it (result metadata {@code start_bar}, 0-based, and
     * {@code tempo_bpm}), with {@code name} in the place of the clip or track; {@code <name>_take<K>.wav}
     * when the daemon did not say.
     */
    public static String forTake(String name, int candidate, Map<String, String> metadata) {
        try {
            double bar = Double.parseDouble(metadata.get("start_bar"));
            double bpm = Double.parseDouble(metadata.get("tempo_bpm"));
            if (bar >= 0 && bpm > 0 && Double.isFinite(bar) && Double.isFinite(bpm)) {
                return forClip(name, bar + 1, bpm).apply(candidate);
            }
        } catch (RuntimeException e) {
            // no placement in the metadata: the name without it
        }
        return forJob(name).apply(candidate);
    }

    public static IntFunction<String> forJob(String job) {
        return candidate -> String.format(Locale.ROOT, "%s_take%d.wav", safe(job), candidate + 1);
    }

    /** The file's stem with anything a file manager or DAW might choke on replaced, and bounded in length. */
    public static String safe(String name) {
        String stem = name.replaceFirst("\\.[A-Za-z0-9]{1,5}$", "").replaceAll("[^A-Za-z0-9_-]+", "-")
                .replaceAll("^-+|-+$", "");
        if (stem.isEmpty()) {
            stem = "clip";
        }
        return stem.length() > 48 ? stem.substring(0, 48) : stem;
    }

    /** 1-based bar: {@code 005} on a bar line, {@code 004.50} between two. */
    public static String bar(double startBar) {
        double rounded = Math.rint(startBar);
        if (Math.abs(startBar - rounded) < 1e-6) {
            return String.format(Locale.ROOT, "%03d", (long) rounded);
        }
        return String.format(Locale.ROOT, "%06.2f", startBar);
    }

    public static String number(double v) {
        double rounded = Math.rint(v);
        return Math.abs(v - rounded) < 1e-9 ? Long.toString((long) rounded)
                : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
    }
}
