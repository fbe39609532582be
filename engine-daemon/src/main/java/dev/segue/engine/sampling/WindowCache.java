package dev.segue.engine.sampling;

/**
 * What a window of a long continuation does with the previous window's key/value cache.
 * <ul>
 *   <li>{@code REPREFILL}: nothing kept; every window prefills its context, as the reference does.</li>
 *   <li>{@code SHIFT} (the default): a window that starts whole attention blocks after the previous one goes
 *       on in its cache, moved to the front: only the new tokens are computed. Not exact: the kept keys and
 *       values were computed at their old positions (the priors add absolute position embeddings at the
 *       input) and with the dropped tokens in view. {@code bench continuation} measures both the saving and
 *       what it costs in bits per token on held-out music; the engine README has the figures.</li>
 * </ul>
 * Either way a window re-prefills when moving the cache cannot stand in for its context: an upsampler (its
 * conditioning is per window), a lyrics prior (its lyric window moves), a hop that splits a block.
 */
public enum WindowCache {
    REPREFILL,
    SHIFT;

    /** By its lower-case name, as on the command line. */
    public static WindowCache named(String name) {
        for (WindowCache c : values()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("window cache '" + name + "' is not one of reprefill, shift");
    }
}
