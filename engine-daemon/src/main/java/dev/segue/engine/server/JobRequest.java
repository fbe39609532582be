package dev.segue.engine.server;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.Submit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a job's record keeps of its request: the prior, the length as asked, the seed, the tier, and where the prime
 * sits in the DAW's timeline and bars, from which an extension, a fetch and a take's metadata are worked out. Stored
 * as string pairs under the keys below (the record's JSON, the cluster's job book), as records always were. A record
 * an older daemon wrote, or a hand-edited one, may lack a key or hold a value that does not parse: that field reads
 * as absent (null), and each use says what it does without it.
 */
public record JobRequest(String prior, String length, String seed, String quality, Integer sampleRate,
                         Long primeStartSample, Long primeFrames, Double primeStartBar, Double tempoBpm, String timeSig,
                         String extendsTake) {

    /**
     * What a finished job's takes can still say when its record cannot be read back: the prior and the tier, and
     * nothing of the DAW's context (each take's metadata leaves those fields out).
     */
    public static JobRequest unrecorded(String prior, String quality) {
        return new JobRequest(prior, null, null, quality, null, null, null, null, null, null, null);
    }

    /** A submit's request, as admission records it. */
    public static JobRequest of(String prior, Submit s) {
        DawContext c = s.context();
        return new JobRequest(prior, s.request().length().key() + "=" + s.request().length().value(),
                Long.toUnsignedString(s.request().seed()), s.request().quality().wire(), c.sampleRate(),
                c.primeStartSample(), (long) s.prime().frames(), c.primeStartBar(), c.tempoBpm(),
                c.timeSigNum() + "/" + c.timeSigDen(), null);
    }

    /** The timeline sample the job's takes start at: right after the prime (0 where the record lacks it). */
    public long takeStart() {
        return (primeStartSample == null ? 0 : primeStartSample) + (primeFrames == null ? 0 : primeFrames);
    }

    /**
     * The DAW's context at {@code rate} with {@code start} as the prime's first sample, for a length in bars: the
     * recorded tempo and metre, or 120 bpm in 4/4 where the record lacks them (records older than both); the bar
     * position is not needed for a length.
     */
    public DawContext context(int rate, long start) {
        int[] sig = signature();
        return new DawContext(rate, tempoBpm == null ? 120.0 : tempoBpm, sig == null ? 4 : sig[0],
                sig == null ? 4 : sig[1], start, 0.0);
    }

    /**
     * The bar (0-based, fractional) at timeline sample {@code sample}, by the protocol's own bars-to-seconds formula;
     * null where the record lacks the rate, tempo, metre or the prime's place.
     */
    public Double barAt(long sample) {
        int[] sig = signature();
        if (sampleRate == null || tempoBpm == null || sig == null || primeStartSample == null || primeStartBar == null) {
            return null;
        }
        try {
            DawContext c = new DawContext(sampleRate, tempoBpm, sig[0], sig[1], 0, 0.0);
            return primeStartBar + (sample - primeStartSample) / (double) sampleRate / c.secondsForBars(1);
        } catch (RuntimeException outOfRange) { // a hand-edited record the protocol refuses: no bar
            return null;
        }
    }

    /**
     * An extension's record: this request with the new length and the take it extends, its prime now the take,
     * which ends at timeline sample {@code start}, so the extension's takes start there, on the bar there.
     */
    public JobRequest extension(String extendsTake, String length, long start) {
        return new JobRequest(prior, length, seed, quality, sampleRate, start, 0L, barAt(start), tempoBpm, timeSig,
                extendsTake);
    }

    private int[] signature() {
        if (timeSig == null) {
            return null;
        }
        String[] parts = timeSig.split("/", 2);
        try {
            return parts.length == 2 ? new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The stored form. */
    @JsonValue
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "prior", prior);
        put(m, "length", length);
        put(m, "seed", seed);
        put(m, "sample_rate", sampleRate);
        put(m, "prime_start_sample", primeStartSample);
        put(m, "prime_frames", primeFrames);
        put(m, "prime_start_bar", primeStartBar);
        put(m, "tempo_bpm", tempoBpm);
        put(m, "quality", quality);
        put(m, "time_sig", timeSig);
        put(m, "extends", extendsTake);
        return m;
    }

    /** From the stored form; a missing key or a value that does not parse reads as absent. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static JobRequest fromMap(Map<String, String> m) {
        return new JobRequest(m.get("prior"), m.get("length"), m.get("seed"), m.get("quality"),
                parse(m.get("sample_rate"), Integer::valueOf), parse(m.get("prime_start_sample"), Long::valueOf),
                parse(m.get("prime_frames"), Long::valueOf), parse(m.get("prime_start_bar"), Double::valueOf),
                parse(m.get("tempo_bpm"), Double::valueOf), m.get("time_sig"), m.get("extends"));
    }

    private static void put(Map<String, String> m, String key, Object value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }

    private static <T> T parse(String text, java.util.function.Function<String, T> parser) {
        try {
            return text == null ? null : parser.apply(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
