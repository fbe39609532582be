/*
 * bars.h: the protocol's one bars-to-seconds formula, for every C file that needs it.
 *
 * PROTOCOL.md fixes the evaluation order, so that every codec (this one, the Java one) computes the same
 * double for the same context: bars * 240 * num / (den * tempo), with tempo in quarter notes per minute.
 * A header of its own so the codec, which is also compiled alone for the golden-vector tests, needs no
 * other object file.
 */
#ifndef SEGUE_BARS_H
#define SEGUE_BARS_H

static inline double segue_seconds_for_bars(double bars, double bpm, int num, int den) {
    return bars * 240.0 * (double)num / ((double)den * bpm);
}

#endif
