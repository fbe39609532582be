package dev.segue.protocol.wav;

/**
 * What a WAV file's {@code fmt } chunk says about its samples.
 *
 * @param bits bits a sample takes in the file: 8, 16, 24 or 32 for integer PCM (8-bit is unsigned, the rest
 *             signed), 32 or 64 for float
 * @param floating IEEE float samples (format tag 3) rather than integer PCM (format tag 1)
 */
public record WavFormat(int sampleRate, int channels, int bits, boolean floating) {
    /** Bytes of one frame: one sample of every channel. */
    public int frameBytes() {
        return channels * bits / 8;
    }
}
