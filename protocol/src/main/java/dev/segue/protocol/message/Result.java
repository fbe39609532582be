package dev.segue.protocol.message;

import dev.segue.protocol.Audio;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One chunk of a finished candidate (frame 1). A candidate longer than 60 s arrives as several
 * chunks; it is complete when chunks cover {@code 0..totalFrames}. Every chunk repeats the whole
 * header so any one can be stored or re-fetched on its own.
 *
 * @param startSample timeline sample where the candidate's first frame lands (the prime's end)
 * @param seed        the uint64 seed that reproduces this candidate
 * @param metadata    free-form string pairs (model, preset, timings); sorted on the wire
 */
public record Result(long req, String job, int candidate, int sampleRate, long startSample, long totalFrames,
                     long offsetFrames, long seed, Map<String, String> metadata, Audio audio) implements Message {
    public Result {
        Check.req(req);
        Check.jobId("job", job);
        Check.range("candidate", candidate, 0, Bounds.MAX_CANDIDATES - 1);
        Check.sampleRate("sample_rate", sampleRate);
        Check.range("start_sample", startSample, 0, Long.MAX_VALUE);
        if (totalFrames > Bounds.maxContinuationFrames(sampleRate)) {
            throw Check.tooLarge("total_frames", totalFrames + " frames exceeds " + Bounds.MAX_CONTINUATION_SECONDS
                    + " s at " + sampleRate + " Hz");
        }
        Check.range("total_frames", totalFrames, 1, Long.MAX_VALUE);
        Check.present("audio", audio);
        Check.audioFrames("frames", audio.frames(), sampleRate);
        Check.range("offset_frames", offsetFrames, 0, Long.MAX_VALUE);
        if (offsetFrames > totalFrames - audio.frames()) { // subtraction form cannot overflow
            throw Check.bad("offset_frames", "chunk " + offsetFrames + "+" + audio.frames() + " ends past total_frames "
                    + totalFrames);
        }
        metadata = checkMetadata(metadata);
    }

    private static Map<String, String> checkMetadata(Map<String, String> m) {
        Check.present("metadata", m);
        if (m.size() > Bounds.MAX_METADATA_ENTRIES) {
            throw Check.tooLarge("metadata", m.size() + " entries exceeds " + Bounds.MAX_METADATA_ENTRIES);
        }
        TreeMap<String, String> sorted = new TreeMap<>(Utf8Order.INSTANCE);
        m.forEach((k, v) -> {
            Check.name("metadata key", k); // MAX_NAME_BYTES == MAX_KEY_BYTES
            Check.text("metadata." + k, Check.present("metadata." + k, v), Bounds.MAX_TEXT_BYTES);
            sorted.put(k, v);
        });
        return Collections.unmodifiableSortedMap(sorted);
    }

    @Override
    public MessageType type() {
        return MessageType.RESULT;
    }
}
