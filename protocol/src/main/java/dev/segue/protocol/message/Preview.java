package dev.segue.protocol.message;

import dev.segue.protocol.Audio;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/**
 * A rough early chunk of one candidate (frame 1), for auditioning before {@code done}. Carries its
 * own sample rate and (via the audio) channels and frames, so every audio frame is self-describing.
 *
 * @param offsetFrames position of this chunk from the start of the candidate
 */
public record Preview(long req, String job, int candidate, int sampleRate, long offsetFrames, Audio audio)
        implements Message {
    public Preview {
        Check.req(req);
        Check.jobId("job", job);
        Check.range("candidate", candidate, 0, Bounds.MAX_CANDIDATES - 1);
        Check.sampleRate("sample_rate", sampleRate);
        Check.present("audio", audio);
        Check.audioFrames("frames", audio.frames(), sampleRate);
        Check.range("offset_frames", offsetFrames, 0, Long.MAX_VALUE);
        if (offsetFrames > Bounds.maxContinuationFrames(sampleRate) - audio.frames()) { // cannot overflow
            throw Check.tooLarge("offset_frames", "chunk ends past " + Bounds.MAX_CONTINUATION_SECONDS + " s");
        }
    }

    @Override
    public MessageType type() {
        return MessageType.PREVIEW;
    }
}
