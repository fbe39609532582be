package dev.segue.bridge.host;

/**
 * One plugin port as the bundle's Turtle describes it (read through lilv).
 *
 * @param defaultValue NaN where the bundle gives none (likewise {@code minimum}, {@code maximum})
 * @param supportsTimePosition an atom input that declares {@code atom:supports time:Position}
 * @param minimumBufferBytes {@code rsz:minimumSize} of an atom port, 0 where not given
 * @param freeWheeling a control input designated {@code lv2:freeWheeling} (1 while rendering offline)
 */
public record PortInfo(int index, String symbol, String name, Kind kind, boolean input,
        float defaultValue, float minimum, float maximum,
        boolean supportsTimePosition, int minimumBufferBytes, boolean optional, boolean freeWheeling) {

    public enum Kind { AUDIO, CONTROL, ATOM, CV, OTHER }

    /** The value a control input starts from: what lv2file does, so renders compare one to one. */
    public float startValue() {
        if (!Float.isNaN(defaultValue)) {
            return defaultValue;
        }
        if (Float.isNaN(minimum)) {
            return Float.isNaN(maximum) ? 0f : Math.min(maximum, 0f);
        }
        return Float.isNaN(maximum) ? Math.max(minimum, 0f) : (minimum + maximum) / 2f;
    }
}
