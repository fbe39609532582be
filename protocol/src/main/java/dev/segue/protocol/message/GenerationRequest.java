package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;
import java.util.List;

/**
 * What to generate (the {@code request} map of {@code submit}). Nullable components are optional
 * on the wire and absent there when null.
 *
 * @param temperatures one per prior level, top level first, each in (0, 10]
 * @param topK         keep the k most likely tokens, 0 = off; at most one of topK/topP
 * @param topP         nucleus mass in [0, 1], 0 = off
 * @param seed         uint64 carried in a long (read it with {@link Long#toUnsignedString(long)})
 */
public record GenerationRequest(String prior, String preset, Length length, int candidates, Quality quality,
                                List<Double> temperatures, Integer topK, Double topP, long seed,
                                String artist, String genre, String lyrics) {
    public GenerationRequest {
        Check.name("request.prior", prior);
        Check.name("request.preset", preset);
        Length.check("request.", length);
        Check.range("request.candidates", candidates, 1, Bounds.MAX_CANDIDATES);
        Check.present("request.quality", quality);
        temperatures = Check.list("request.temperatures", temperatures, Bounds.MAX_LEVELS);
        if (temperatures.isEmpty()) {
            throw Check.bad("request.temperatures", "empty, need one per level");
        }
        for (double t : temperatures) {
            if (!(t > 0 && t <= Bounds.MAX_TEMPERATURE)) {
                throw Check.bad("request.temperatures", t + " outside (0, " + Bounds.MAX_TEMPERATURE + "]");
            }
        }
        if (topK != null && topP != null) {
            throw Check.bad("request.top_k", "top_k and top_p are exclusive");
        }
        if (topK != null) {
            Check.range("request.top_k", topK, 0, Bounds.MAX_TOP_K);
        }
        if (topP != null) {
            Check.range("request.top_p", topP, 0.0, 1.0);
        }
        if (artist != null) {
            Check.name("request.artist", artist);
        }
        if (genre != null) {
            Check.name("request.genre", genre);
        }
        if (lyrics != null) {
            Check.text("request.lyrics", lyrics, Bounds.MAX_LYRICS_BYTES);
        }
    }
}
