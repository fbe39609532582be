package dev.segue.bridge.host;

import dev.segue.protocol.wav.PcmAudio;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoublePredicate;

/**
 * Runs a whole file through one plugin instance block by block, the way a DAW plays a track: every
 * block is {@code blockLength} frames (the last one padded with silence), the transport moves with
 * the audio and each block carries its position.
 *
 * <p>Channel mapping: file channel k feeds audio input k; a mono file feeds every input (a mono
 * track on a stereo insert); inputs beyond the file's channels get silence, and file channels beyond
 * the plugin's inputs are dropped. Output channel k is audio output k.
 *
 * <p>The optional {@link Tail} keeps the plugin running after the file ends, for plugins whose work
 * finishes on another thread (the Segue plugin's daemon round trip): the transport keeps playing,
 * the inputs get silence, blocks are paced at real time (running a plugin faster than real time
 * while it waits on a network would only burn CPU) and the render stops when an output control
 * port satisfies the condition or the wall-clock limit passes. Tail audio is not part of the result.
 *
 * <p>The optional {@link Preroll} runs before the file, with the transport stopped and silence in,
 * at real-time pace, until an output port says the plugin is ready (then a little longer, to
 * settle): in a DAW a plugin is loaded long before play is pressed, and a plugin that connects to a
 * service in the background would otherwise meet the first bars before it is connected. Preroll
 * audio is not part of the result either.
 */
public final class OfflineRenderer {
    private OfflineRenderer() {}

    /**
     * @param port output control port watched after the file ends
     * @param done when its value satisfies this, the render is finished
     * @param failed when its value satisfies this, waiting longer cannot help (may be null)
     * @param maxSeconds wall-clock limit for the tail
     */
    public record Tail(String port, DoublePredicate done, DoublePredicate failed, double maxSeconds, String description) {
        public Tail {
            if (!(maxSeconds > 0) || maxSeconds > 24 * 3600) {
                throw new IllegalArgumentException("tail limit must be in (0, 86400] seconds");
            }
        }
    }

    /**
     * @param port output control port watched before the file starts
     * @param ready when its value satisfies this, the plugin is ready; the transport starts after settleSeconds more
     * @param maxSeconds wall-clock limit; past it the render fails with {@link IllegalStateException}
     */
    public record Preroll(String port, DoublePredicate ready, double settleSeconds, double maxSeconds, String description) {
        public Preroll {
            if (!(maxSeconds > 0) || maxSeconds > 3600 || !(settleSeconds >= 0) || settleSeconds > 60) {
                throw new IllegalArgumentException("preroll limit must be in (0, 3600] s, settle in [0, 60] s");
            }
        }
    }

    /**
     * @param tailSatisfied null when no tail was asked for; false when it timed out or failed
     * @param outputs every output control port's value after the last block
     */
    public record Result(PcmAudio audio, long blocks, double prerollSeconds, long tailBlocks, Boolean tailSatisfied,
            double tailSeconds, Map<String, Float> outputs) {}

    public static Result render(PluginInstance plugin, PcmAudio input, Transport transport, Tail tail) throws InterruptedException {
        return render(plugin, input, transport, null, tail);
    }

    public static Result render(PluginInstance plugin, PcmAudio input, Transport transport, Preroll preroll, Tail tail)
            throws InterruptedException {
        if (plugin.audioOutputs() == 0) {
            throw new IllegalArgumentException(plugin.info().uri() + " has no audio output to render");
        }
        if (tail != null) {
            PortInfo watched = plugin.info().port(tail.port()).orElseThrow(() ->
                    new IllegalArgumentException("no port '" + tail.port() + "' to wait on"));
            if (watched.kind() != PortInfo.Kind.CONTROL || watched.input()) {
                throw new IllegalArgumentException("port '" + tail.port() + "' is not a control output");
            }
        }
        int block = plugin.blockLength();
        int frames = input.frames();
        int inCh = input.channels();
        int ins = plugin.audioInputs(), outs = plugin.audioOutputs();
        float[][] inBuf = new float[ins][block];
        float[] outBlock = new float[block];
        float[] out = new float[Math.multiplyExact(frames, outs)];
        float[] in = input.samples();

        plugin.activate();
        double prerollSeconds = 0;
        if (preroll != null) {
            long p0 = System.nanoTime();
            preroll(plugin, transport, preroll, inBuf);
            prerollSeconds = (System.nanoTime() - p0) / 1e9;
        }
        long blocks = 0;
        for (int start = 0; start < frames; start += block) {
            int n = Math.min(block, frames - start);
            for (int port = 0; port < ins; port++) {
                int ch = inCh == 1 ? 0 : port;
                float[] dst = inBuf[port];
                if (ch < inCh) {
                    for (int i = 0; i < n; i++) {
                        dst[i] = in[(start + i) * inCh + ch];
                    }
                } else {
                    java.util.Arrays.fill(dst, 0, n, 0f);
                }
                java.util.Arrays.fill(dst, n, block, 0f); // the last block is padded with silence
                plugin.writeInput(port, dst);
            }
            plugin.run(transport.at(start, true));
            blocks++;
            for (int port = 0; port < outs; port++) {
                plugin.readOutput(port, outBlock);
                for (int i = 0; i < n; i++) {
                    out[(start + i) * outs + port] = outBlock[i];
                }
            }
        }

        long tailBlocks = 0;
        Boolean satisfied = null;
        double tailSeconds = 0;
        if (tail != null) {
            for (int port = 0; port < ins; port++) {
                java.util.Arrays.fill(inBuf[port], 0f);
                plugin.writeInput(port, inBuf[port]);
            }
            long frame = blocks * block;
            double blockNanos = 1e9 * block / transport.sampleRate();
            long t0 = System.nanoTime();
            long limit = (long) (tail.maxSeconds() * 1e9);
            float value = plugin.control(tail.port());
            satisfied = tail.done().test(value);
            boolean failed = !satisfied && tail.failed() != null && tail.failed().test(value);
            while (!satisfied && !failed && System.nanoTime() - t0 < limit) {
                plugin.run(transport.at(frame, true));
                frame += block;
                tailBlocks++;
                value = plugin.control(tail.port());
                satisfied = tail.done().test(value);
                failed = !satisfied && tail.failed() != null && tail.failed().test(value);
                long ahead = t0 + (long) (tailBlocks * blockNanos) - System.nanoTime();
                if (ahead > 0) {
                    Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                }
            }
            tailSeconds = (System.nanoTime() - t0) / 1e9;
        }
        plugin.deactivate();

        Map<String, Float> outputs = new LinkedHashMap<>();
        // (outputs are read after the last block run, tail included)
        for (PortInfo p : plugin.info().ports(PortInfo.Kind.CONTROL, false)) {
            outputs.put(p.symbol(), plugin.control(p.symbol()));
        }
        return new Result(new PcmAudio(input.sampleRate(), outs, out), blocks, prerollSeconds, tailBlocks, satisfied, tailSeconds, outputs);
    }

    private static void preroll(PluginInstance plugin, Transport transport, Preroll p, float[][] silence) throws InterruptedException {
        for (int port = 0; port < silence.length; port++) {
            plugin.writeInput(port, silence[port]); // fresh arrays: all zero
        }
        Transport.Position stopped = transport.at(0, false);
        double blockNanos = 1e9 * plugin.blockLength() / transport.sampleRate();
        long t0 = System.nanoTime(), limit = (long) (p.maxSeconds() * 1e9), readyAt = -1, blocks = 0;
        while (true) {
            long now = System.nanoTime();
            if (readyAt < 0 && p.ready().test(plugin.control(p.port()))) {
                readyAt = now;
            }
            if (readyAt >= 0 && now - readyAt >= (long) (p.settleSeconds() * 1e9)) {
                return;
            }
            if (now - t0 >= limit) {
                plugin.deactivate();
                throw new IllegalStateException("the plugin was not ready (" + p.description() + ") within "
                        + p.maxSeconds() + " s before the start");
            }
            plugin.run(stopped);
            blocks++;
            long ahead = t0 + (long) (blocks * blockNanos) - System.nanoTime();
            if (ahead > 0) {
                Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
            }
        }
    }
}
