package dev.segue.bridge.cli;

import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.Quality;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value parsers whose failures picocli reports as usage errors (exit 2). */
final class Converters {
    private Converters() {}

    /** {@code 4/4}, {@code 6/8}...; the ranges are checked by the protocol's DawContext. */
    record TimeSignature(int num, int den) {
        private static final Pattern FORM = Pattern.compile("(\\d{1,3})/(\\d{1,3})");
    }

    static final class TimeSignatureConverter implements ITypeConverter<TimeSignature> {
        @Override
        public TimeSignature convert(String s) {
            Matcher m = TimeSignature.FORM.matcher(s.trim());
            if (!m.matches()) {
                throw new TypeConversionException("'" + s + "' is not a time signature like 4/4");
            }
            return new TimeSignature(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
    }

    /** Seeds are uint64 on the wire; Java keeps them in a long. */
    static final class UnsignedLongConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String s) {
            try {
                return Long.parseUnsignedLong(s.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + s + "' is not an integer in 0..18446744073709551615");
            }
        }
    }

    /** The wire's lower-case names, so help and errors show what the spec shows. */
    static final class QualityConverter implements ITypeConverter<Quality> {
        @Override
        public Quality convert(String s) {
            return Quality.fromWire(s.trim().toLowerCase(java.util.Locale.ROOT))
                    .orElseThrow(() -> new TypeConversionException("'" + s + "' is not one of sketch, draft, full"));
        }
    }

    static final class LabelKindConverter implements ITypeConverter<LabelKind> {
        @Override
        public LabelKind convert(String s) {
            return LabelKind.fromWire(s.trim().toLowerCase(java.util.Locale.ROOT))
                    .orElseThrow(() -> new TypeConversionException("'" + s + "' is not one of artist, genre"));
        }
    }
}
