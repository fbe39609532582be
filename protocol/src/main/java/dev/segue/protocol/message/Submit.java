package dev.segue.protocol.message;

import dev.segue.protocol.Audio;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/** Client asks for continuations of {@code prime} (frame 1). Answered by accepted, or error. */
public record Submit(long req, DawContext context, GenerationRequest request, Audio prime) implements Message {
    public Submit {
        Check.req(req);
        Check.present("context", context);
        Check.present("request", request);
        Check.present("audio", prime);
        Check.audioFrames("context.frames", prime.frames(), context.sampleRate());
        if (request.length() instanceof Length.Bars bars) {
            double seconds = context.secondsForBars(bars.bars());
            if (seconds > Bounds.MAX_CONTINUATION_SECONDS) {
                throw Check.tooLarge("request.length_bars", bars.bars() + " bars at " + context.tempoBpm() + " bpm "
                        + context.timeSigNum() + "/" + context.timeSigDen() + " is " + seconds + " s, max "
                        + Bounds.MAX_CONTINUATION_SECONDS);
            }
        }
    }

    @Override
    public MessageType type() {
        return MessageType.SUBMIT;
    }
}
