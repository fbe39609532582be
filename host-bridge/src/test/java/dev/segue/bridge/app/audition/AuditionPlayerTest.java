package dev.segue.bridge.app.audition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AuditionPlayerTest {
    private static final int RATE = 48_000;
    private static final int FRAMES = 20_000;

    /** Stereo, every sample distinct per take: take k's frame f is (k * 0.4 - 0.6) + f / 80000, left; negated, right. */
    private static AuditionSource take(int k) {
        float[] s = new float[FRAMES * 2];
        for (int f = 0; f < FRAMES; f++) {
            s[2 * f] = (float) (k * 0.4 - 0.6 + f / 80_000.0);
            s[2 * f + 1] = -s[2 * f];
        }
        return new AuditionSource("take " + k, RATE, 2, s);
    }

    /** The 16-bit value the player must send for sample {@code x} (round to nearest at 32767, clipped). */
    private static int pcm(float x) {
        return Math.round(Math.max(-1f, Math.min(1f, x)) * 32767f);
    }

    private static int sampleAt(byte[] b, int index) {
        return (short) ((b[2 * index] & 0xff) | (b[2 * index + 1] << 8));
    }

    @Test
    void playStartsTheSinkAndStopSilencesIt() throws Exception {
        CapturingSink sink = new CapturingSink();
        AuditionPlayer player = new AuditionPlayer(sink);
        AuditionSource a = take(1);
        player.select(a);
        sink.allow(3000);
        player.play();
        assertTrue(player.isPlaying());
        sink.awaitFrames(3000, 5000);
        assertTrue(sink.started(), "the sink runs while playing");
        byte[] got = sink.captured();
        for (int i = 0; i < 3000 * 2; i++) {
            assertEquals(pcm(a.samples()[i]), sampleAt(got, i), "sample " + i);
        }
        player.stop(); // the render thread is blocked in write() here: stop must still return promptly
        assertFalse(player.isPlaying());
        assertFalse(sink.started(), "stop stops the sink");
        long after = sink.capturedFrames();
        sink.allow(Long.MAX_VALUE);
        Thread.sleep(150);
        assertEquals(after, sink.capturedFrames(), "nothing flows after stop");
        assertTrue(player.position() >= 2048 && player.position() <= 3000 + AuditionPlayer.BLOCK_FRAMES,
                "stop keeps the position: " + player.position());
        player.close();
    }

    @Test
    void abSwitchKeepsThePositionAndTheOtherTakeFlowsFromThere() throws Exception {
        CapturingSink sink = new CapturingSink();
        AuditionPlayer player = new AuditionPlayer(sink);
        AuditionSource a = take(1);
        AuditionSource b = take(2);
        player.select(a);
        int switchAt = 5000;
        sink.allow(switchAt);
        player.play();
        sink.awaitFrames(switchAt, 5000);
        long before = player.position();
        player.select(b);
        assertEquals(before, player.position(), "switching takes does not move the position");
        assertTrue(player.isPlaying(), "still playing after the switch");
        int end = switchAt + 6 * AuditionPlayer.BLOCK_FRAMES;
        sink.allow(end);
        sink.awaitFrames(end, 5000);
        player.stop();

        byte[] got = sink.captured();
        int seam = -1; // the first frame that is not take A's
        for (int f = 0; f < end && seam < 0; f++) {
            if (sampleAt(got, 2 * f) != pcm(a.samples()[2 * f])) {
                seam = f;
            }
        }
        assertTrue(seam >= switchAt && seam <= switchAt + AuditionPlayer.BLOCK_FRAMES,
                "the switch lands within a block of where it was asked: frame " + seam);
        for (int f = seam; f < end; f++) {
            for (int ch = 0; ch < 2; ch++) {
                assertEquals(pcm(b.samples()[2 * f + ch]), sampleAt(got, 2 * f + ch),
                        "frame " + f + " is take B's same frame (no jump, no restart)");
            }
        }
        assertEquals(1, sink.opens, "takes of one format share the open line");
        player.close();
    }

    @Test
    void loopWrapsToTheStartAndWithoutLoopPlaybackEndsByItself() throws Exception {
        CapturingSink sink = new CapturingSink();
        AuditionPlayer player = new AuditionPlayer(sink);
        AuditionSource a = take(3);
        player.select(a);
        player.setLoop(true);
        sink.allow(FRAMES + 1500);
        player.play();
        sink.awaitFrames(FRAMES + 1500, 5000);
        byte[] got = sink.captured();
        for (int f = FRAMES; f < FRAMES + 1500; f++) {
            assertEquals(pcm(a.samples()[2 * (f - FRAMES)]), sampleAt(got, 2 * f), "looped frame " + f);
        }
        player.setLoop(false);
        sink.allow(Long.MAX_VALUE);
        long deadline = System.currentTimeMillis() + 5000;
        while (player.isPlaying() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(player.isPlaying(), "the take ended by itself");
        assertEquals(2L * FRAMES, sink.capturedFrames(), "one loop, then the take to its end");
        assertEquals(0, player.position(), "at the end the position returns to the start");
        player.close();
    }

    @Test
    void nullSinkConsumesAtRealTimePace() throws Exception {
        NullSink sink = new NullSink(1.0);
        AuditionPlayer player = new AuditionPlayer(sink);
        float[] s = new float[RATE * 2]; // 1 s stereo
        player.select(new AuditionSource("silence", RATE, 2, s));
        long t0 = System.nanoTime();
        player.play();
        Thread.sleep(300);
        long pos = player.position();
        double seconds = (System.nanoTime() - t0) / 1e9;
        player.stop();
        // The position leads the heard audio by at most the buffer (100 ms) and one block.
        double lead = (AuditionPlayer.BUFFER_MILLIS / 1000.0) + 2.0 * AuditionPlayer.BLOCK_FRAMES / RATE;
        assertTrue(pos / (double) RATE <= seconds + lead, "not faster than real time: " + pos + " frames in " + seconds + " s");
        assertTrue(pos / (double) RATE >= 0.15, "it does play: " + pos + " frames in " + seconds + " s");
        player.close();
    }
}
