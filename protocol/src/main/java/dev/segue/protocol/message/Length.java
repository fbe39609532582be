package dev.segue.protocol.message;

import dev.segue.protocol.Bounds;
import dev.segue.protocol.Check;
import dev.segue.protocol.ErrorCode;

/**
 * How much continuation to generate: bars at the DAW's tempo, or seconds. Exactly one goes on the
 * wire ({@code length_bars} or {@code length_seconds}). Validated by the message that holds it,
 * because the error must name the field where it sits ({@code request.length_bars}).
 */
public sealed interface Length permits Length.Bars, Length.Seconds {

    /** Wire key: {@code length_bars} or {@code length_seconds}. */
    String key();

    double value();

    record Bars(double bars) implements Length {
        @Override
        public String key() {
            return "length_bars";
        }

        @Override
        public double value() {
            return bars;
        }
    }

    record Seconds(double seconds) implements Length {
        @Override
        public String key() {
            return "length_seconds";
        }

        @Override
        public double value() {
            return seconds;
        }
    }

    /** Checks the bound of this length; {@code prefix} is the path of the map holding it. */
    static void check(String prefix, Length length) {
        Check.present(prefix + "length_bars|length_seconds", length);
        double max = length instanceof Bars ? Bounds.MAX_LENGTH_BARS : Bounds.MAX_LENGTH_SECONDS;
        Check.positiveUpTo(prefix + length.key(), length.value(), max, ErrorCode.TOO_LARGE);
    }
}
