package dev.segue.tests;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A WAV file read whole: integer PCM (16/24/32-bit) or IEEE float, plain or WAVE_FORMAT_EXTENSIBLE, as
 * hosts and stem writers produce them. Own reader because JavaSound does not take every header Ardour writes.
 */
record WavFile(int rate, int channels, int bits, boolean floating, float[][] samples) {
    private static final int PCM = 1, FLOAT = 3, EXTENSIBLE = 0xFFFE;
    private static final long MAX_BYTES = 1L << 30;

    int frames() {
        return samples[0].length;
    }

    static WavFile read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException(file + ": over " + MAX_BYTES + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
            throw new IOException(file + ": not a RIFF/WAVE file");
        }
        int format = -1, channels = 0, rate = 0, bits = 0;
        b.position(12);
        while (b.remaining() >= 8) {
            int id = b.getInt();
            long size = Integer.toUnsignedLong(b.getInt());
            if (size > b.remaining()) {
                throw new IOException(file + ": chunk runs past the end of the file");
            }
            int body = b.position();
            if (id == 0x20746d66) { // "fmt "
                format = b.getShort(body) & 0xFFFF;
                channels = b.getShort(body + 2) & 0xFFFF;
                rate = b.getInt(body + 4);
                bits = b.getShort(body + 14) & 0xFFFF;
                if (format == EXTENSIBLE && size >= 26) {
                    format = b.getShort(body + 24) & 0xFFFF; // the sub-format GUID starts with the format tag
                }
            } else if (id == 0x61746164) { // "data"
                if (format != PCM && format != FLOAT || channels < 1 || bits % 8 != 0 || bits == 0) {
                    throw new IOException(file + ": unsupported format " + format + "/" + bits + " bits");
                }
                return new WavFile(rate, channels, bits, format == FLOAT,
                        decode(b.slice(body, (int) size).order(ByteOrder.LITTLE_ENDIAN), channels, bits, format == FLOAT));
            }
            b.position(body + (int) size + (int) (size & 1));
        }
        throw new IOException(file + ": no data chunk");
    }

    private static float[][] decode(ByteBuffer data, int channels, int bits, boolean floating) throws IOException {
        int bytes = bits / 8;
        int frames = data.remaining() / (bytes * channels);
        float[][] out = new float[channels][frames];
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < channels; c++) {
                int at = (i * channels + c) * bytes;
                out[c][i] = switch (bytes) {
                    case 2 -> data.getShort(at) / 32768f;
                    case 3 -> ((data.get(at) & 0xFF) | (data.get(at + 1) & 0xFF) << 8 | data.get(at + 2) << 16) / 8388608f;
                    case 4 -> floating ? data.getFloat(at) : (float) (data.getInt(at) / 2147483648.0);
                    default -> throw new IOException(bits + "-bit samples are not read here");
                };
            }
        }
        return out;
    }
}
