package dev.segue.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Frame 1: raw little-endian float32, interleaved, exactly frames x channels x 4 bytes. */
final class AudioCodec {
    private AudioCodec() {}

    static byte[] encode(Audio audio) {
        ByteBuffer bytes = ByteBuffer.allocate(audio.length() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(audio.raw()); // a bulk copy on little-endian hosts, bits unchanged
        return bytes.array();
    }

    /**
     * Checks the payload length against the header (whose frames/channels bounds the caller has
     * already checked, so the multiplication cannot overflow), then converts.
     */
    static Audio decode(byte[] payload, int channels, long frames, String path) {
        long expected = frames * channels * Float.BYTES;
        if (payload.length != expected) {
            throw Check.bad(path, "audio frame is " + payload.length + " bytes, header declares " + frames
                    + " frames x " + channels + " channels x 4 = " + expected);
        }
        float[] samples = new float[(int) (frames * channels)];
        ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(samples);
        return Audio.wrap(channels, samples);
    }
}
