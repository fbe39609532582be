package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;

/**
 * Where the prime sits in the DAW, so the continuation can land sample-accurately where the prime
 * ends and be measured in bars. The wire map {@code context} also carries {@code channels} and
 * {@code frames}, which in Java come from the prime {@link dev.segue.protocol.Audio}.
 *
 * @param tempoBpm         quarter notes per minute (the VST3/CLAP convention; LV2 hosts give beats of
 *                         {@code beatUnit}, convert with {@code bpm * 4 / beatUnit})
 * @param primeStartSample timeline position of the prime's first frame, in samples at {@code sampleRate}
 * @param primeStartBar    the same position in bars, 0-based (bar 1 of the DAW is 0.0)
 */
public record DawContext(int sampleRate, double tempoBpm, int timeSigNum, int timeSigDen,
                         long primeStartSample, double primeStartBar) {
    public DawContext {
        Check.sampleRate("context.sample_rate", sampleRate);
        Check.range("context.tempo_bpm", tempoBpm, Bounds.MIN_TEMPO_BPM, Bounds.MAX_TEMPO_BPM);
        Check.range("context.time_sig_num", timeSigNum, 1, Bounds.MAX_TIME_SIG_NUM);
        if (timeSigDen < 1 || timeSigDen > 32 || Integer.bitCount(timeSigDen) != 1) {
            throw Check.bad("context.time_sig_den", timeSigDen + " not one of 1, 2, 4, 8, 16, 32");
        }
        Check.range("context.prime_start_sample", primeStartSample, 0, Long.MAX_VALUE);
        Check.range("context.prime_start_bar", primeStartBar, 0, Double.MAX_VALUE);
    }

    /**
     * Seconds spanned by {@code bars} bars. The evaluation order is part of the spec so every codec
     * gets the same double: {@code bars * 240.0 * num / (den * tempo)}.
     */
    public double secondsForBars(double bars) {
        return bars * 240.0 * timeSigNum / (timeSigDen * tempoBpm);
    }
}
