package dev.segue.bridge.app.cache;

import dev.segue.bridge.client.Take;
import java.nio.file.Path;

/** A take in memory and its 24-bit WAV on disk (the file a drag hands to a DAW). */
public record CachedTake(String job, Take take, Path stem) {
    /** "take 1" for candidate 0. */
    public String title() {
        return "take " + (take.candidate() + 1);
    }
}
