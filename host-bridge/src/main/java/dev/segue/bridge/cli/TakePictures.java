package dev.segue.bridge.cli;

import dev.segue.bridge.app.view.Peaks;
import dev.segue.bridge.app.view.Spectrogram;
import dev.segue.bridge.app.view.SpectrogramView;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * One PNG per take: the waveform and spectrogram of prime + take on one time axis, the seam (where the prime
 * ends and the take begins) marked, so a folder of takes can be judged at a glance. Drawn into an image,
 * never a window, so it works on a headless machine.
 */
final class TakePictures {
    static final int WIDTH = 1200;
    private static final int TITLE = 22;
    private static final int WAVE = 160;
    private static final int SPECTRUM = 220;
    private static final Color BACKGROUND = new Color(0x1e2127);
    private static final Color PRIME = new Color(0x8a919c);
    private static final Color TAKE = new Color(0x5fb3f0);
    private static final Color SEAM = new Color(0xff9f1c);

    private TakePictures() {}

    /** Writes the picture to {@code png} (atomically) and returns the seam's x position in it. */
    static int write(Path png, float[] prime, int primeChannels, float[] take, int takeChannels, int rate, String title)
            throws IOException {
        float[] primeMono = mono(prime, primeChannels);
        float[] takeMono = mono(take, takeChannels);
        float[] both = new float[primeMono.length + takeMono.length];
        System.arraycopy(primeMono, 0, both, 0, primeMono.length);
        System.arraycopy(takeMono, 0, both, primeMono.length, takeMono.length);
        int seamX = (int) Math.round((double) primeMono.length / Math.max(1, both.length) * (WIDTH - 1));

        BufferedImage img = new BufferedImage(WIDTH, TITLE + WAVE + SPECTRUM, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            drawWaveform(g, Peaks.of(both, 1, WIDTH), seamX);
            BufferedImage spectrum = SpectrogramView.toImage(Spectrogram.of(both, 1, rate, WIDTH, SPECTRUM));
            g.drawImage(spectrum, 0, TITLE + WAVE, WIDTH, SPECTRUM, null);
            g.setColor(SEAM);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(seamX, TITLE, seamX, img.getHeight());
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.setColor(Color.WHITE);
            g.drawString(title, 6, 16);
            g.setColor(SEAM);
            String seam = String.format(java.util.Locale.ROOT, "seam %.2f s", primeMono.length / (double) rate);
            g.drawString(seam, Math.min(seamX + 4, WIDTH - 90), TITLE + 14);
        } finally {
            g.dispose();
        }
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        if (!ImageIO.write(img, "png", tmp.toFile())) {
            throw new IOException("no PNG writer in this Java runtime");
        }
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return seamX;
    }

    private static void drawWaveform(Graphics2D g, Peaks peaks, int seamX) {
        int mid = TITLE + WAVE / 2;
        double scale = WAVE / 2.0 - 4;
        for (int x = 0; x < peaks.buckets(); x++) {
            g.setColor(x < seamX ? PRIME : TAKE);
            int top = mid - (int) Math.round(Math.max(-1, Math.min(1, peaks.max()[x])) * scale);
            int bottom = mid - (int) Math.round(Math.max(-1, Math.min(1, peaks.min()[x])) * scale);
            g.drawLine(x, top, x, Math.max(top, bottom));
        }
    }

    private static float[] mono(float[] interleaved, int channels) {
        if (channels == 1) {
            return interleaved;
        }
        float[] out = new float[interleaved.length / channels];
        for (int i = 0; i < out.length; i++) {
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += interleaved[i * channels + c];
            }
            out[i] = sum / channels;
        }
        return out;
    }
}
