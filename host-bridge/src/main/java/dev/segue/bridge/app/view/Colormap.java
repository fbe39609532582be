package dev.segue.bridge.app.view;

/** A perceptually ordered dark-to-bright ramp (black, violet, red, orange, pale yellow) for spectrogram levels. */
public final class Colormap {
    private Colormap() {}

    private static final int[][] ANCHORS = {
        {0, 0, 4}, {40, 11, 84}, {101, 21, 110}, {159, 42, 99}, {212, 72, 66}, {245, 125, 21}, {250, 193, 39},
        {252, 255, 164},
    };
    private static final int[] RGB = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            double t = i / 255.0 * (ANCHORS.length - 1);
            int a = Math.min(ANCHORS.length - 2, (int) t);
            double f = t - a;
            int r = (int) Math.round(ANCHORS[a][0] + f * (ANCHORS[a + 1][0] - ANCHORS[a][0]));
            int g = (int) Math.round(ANCHORS[a][1] + f * (ANCHORS[a + 1][1] - ANCHORS[a][1]));
            int b = (int) Math.round(ANCHORS[a][2] + f * (ANCHORS[a + 1][2] - ANCHORS[a][2]));
            RGB[i] = (r << 16) | (g << 8) | b;
        }
    }

    /** The colour for a level in [0, 1] (clamped), as 0xRRGGBB. */
    public static int rgb(double level) {
        int i = (int) Math.round(Math.max(0, Math.min(1, level)) * 255);
        return RGB[i];
    }
}
