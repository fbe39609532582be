package dev.segue.tests;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An X Window Dump (what {@code xwd} writes) read into an image: the header is big-endian, 25 fields of
 * 4 bytes; then the window name, the colour map (12 bytes an entry) and the pixels. Only what Xvfb's
 * TrueColor screens give is read: ZPixmap, 24 or 32 bits per pixel; anything else is refused by name.
 */
final class XwdImage {
    private XwdImage() {}

    static BufferedImage read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)); // big-endian by default
        int headerSize = b.getInt(0);
        int format = b.getInt(8);
        int width = b.getInt(16);
        int height = b.getInt(20);
        int byteOrder = b.getInt(28); // of the pixels: 0 LSBFirst, 1 MSBFirst
        int bitsPerPixel = b.getInt(44);
        int bytesPerLine = b.getInt(48);
        int redMask = b.getInt(56);
        int greenMask = b.getInt(60);
        int blueMask = b.getInt(64);
        int colours = b.getInt(76);
        if (format != 2 || (bitsPerPixel != 32 && bitsPerPixel != 24)) {
            throw new IOException(file + ": an XWD of format " + format + " at " + bitsPerPixel
                    + " bits per pixel; only ZPixmap at 24 or 32 bits is read");
        }
        int pixels = headerSize + colours * 12;
        int step = bitsPerPixel / 8;
        if (pixels + (long) bytesPerLine * height > b.capacity()) {
            throw new IOException(file + ": shorter than its " + width + "x" + height + " pixels");
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int at = pixels + y * bytesPerLine + x * step;
                int v = 0;
                for (int i = 0; i < step; i++) {
                    int byteValue = b.get(at + i) & 0xff;
                    v |= byteOrder == 0 ? byteValue << (8 * i) : byteValue << (8 * (step - 1 - i));
                }
                image.setRGB(x, y, channel(v, redMask) << 16 | channel(v, greenMask) << 8 | channel(v, blueMask));
            }
        }
        return image;
    }

    /** The 8-bit value of one colour channel under its mask. */
    private static int channel(int pixel, int mask) {
        int shift = Integer.numberOfTrailingZeros(mask);
        int bits = Integer.bitCount(mask);
        int value = (pixel & mask) >>> shift;
        return bits >= 8 ? value >>> (bits - 8) : value << (8 - bits);
    }
}
