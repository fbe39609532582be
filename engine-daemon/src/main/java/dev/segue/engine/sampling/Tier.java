package dev.segue.engine.sampling;

/** How deep a continuation goes: which level's codes are decoded to audio. */
public enum Tier {
    /** The top level decoded directly: the fastest, roughest take. */
    SKETCH,
    /** Top level, then the middle upsampler: decoded from the level below the top. */
    DRAFT,
    /** Every level down to the finest (level 0), as Jukebox renders. */
    FULL;

    /** The lowest level sampled for a model whose top prior is at {@code topLevel}. */
    public int lowestLevel(int topLevel) {
        return switch (this) {
            case SKETCH -> topLevel;
            case DRAFT -> Math.max(0, topLevel - 1);
            case FULL -> 0;
        };
    }
}
