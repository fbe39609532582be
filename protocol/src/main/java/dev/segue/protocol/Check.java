package dev.segue.protocol;

import java.util.List;
import java.util.Objects;

/**
 * Value checks shared by the message constructors and the decoder. Each failure names the wire
 * field ({@code request.candidates}) so an error reply tells the sender exactly what to fix.
 * Code choice (PROTOCOL.md, "Error codes"): sizes and durations are TOO_LARGE, sample rates
 * BAD_SAMPLE_RATE, every other range or format rule BAD_MESSAGE.
 */
public final class Check {
    private Check() {}

    public static ProtocolException bad(String path, String why) {
        return new ProtocolException(ErrorCode.BAD_MESSAGE, path + ": " + why);
    }

    public static ProtocolException tooLarge(String path, String why) {
        return new ProtocolException(ErrorCode.TOO_LARGE, path + ": " + why);
    }

    public static <T> T present(String path, T value) {
        if (value == null) {
            throw bad(path, "missing");
        }
        return value;
    }

    /** A request id: uint32. */
    public static long req(long req) {
        return range("req", req, 0, Bounds.MAX_UINT32);
    }

    /** Integer in {@code lo..hi} inclusive. */
    public static long range(String path, long v, long lo, long hi) {
        if (v < lo || v > hi) {
            throw bad(path, v + " outside " + lo + ".." + hi);
        }
        return v;
    }

    /** Finite float in {@code lo..hi} inclusive. */
    public static double range(String path, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) { // also rejects NaN
            throw bad(path, v + " outside " + lo + ".." + hi);
        }
        return v;
    }

    /** Float in {@code (0, max]}: not positive is malformed, above max asks for too much. */
    public static double positiveUpTo(String path, double v, double max, ErrorCode above) {
        if (!(v > 0) || Double.isInfinite(v)) { // NaN fails v > 0
            throw bad(path, v + " must be finite and > 0");
        }
        if (v > max) {
            throw new ProtocolException(above, path + ": " + v + " exceeds " + max);
        }
        return v;
    }

    public static int sampleRate(String path, int rate) {
        if (rate < Bounds.MIN_SAMPLE_RATE || rate > Bounds.MAX_SAMPLE_RATE) {
            throw new ProtocolException(ErrorCode.BAD_SAMPLE_RATE,
                    path + ": " + rate + " Hz outside " + Bounds.MIN_SAMPLE_RATE + ".." + Bounds.MAX_SAMPLE_RATE);
        }
        return rate;
    }

    /** Audio frames in one message: 1..60 s at {@code rate} (rate already checked). */
    public static long audioFrames(String path, long frames, int rate) {
        if (frames < 1) {
            throw bad(path, frames + " must be >= 1");
        }
        if (frames > Bounds.maxAudioFrames(rate)) {
            throw tooLarge(path, frames + " frames exceeds " + Bounds.MAX_AUDIO_SECONDS + " s at " + rate + " Hz");
        }
        return frames;
    }

    /** A name: 1..128 UTF-8 bytes. */
    public static String name(String path, String s) {
        int n = utf8Length(path, present(path, s));
        if (n == 0) {
            throw bad(path, "empty");
        }
        if (n > Bounds.MAX_NAME_BYTES) {
            throw tooLarge(path, n + " UTF-8 bytes exceeds " + Bounds.MAX_NAME_BYTES);
        }
        return s;
    }

    /** Free text: 0..max UTF-8 bytes. */
    public static String text(String path, String s, int max) {
        int n = utf8Length(path, present(path, s));
        if (n > max) {
            throw tooLarge(path, n + " UTF-8 bytes exceeds " + max);
        }
        return s;
    }

    /** A job id: 1..64 of [A-Za-z0-9_-], so it is safe in file names and logs. */
    public static String jobId(String path, String s) {
        present(path, s);
        if (s.isEmpty()) {
            throw bad(path, "empty");
        }
        if (s.length() > Bounds.MAX_JOB_ID_CHARS) {
            throw tooLarge(path, s.length() + " chars exceeds " + Bounds.MAX_JOB_ID_CHARS);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-';
            if (!ok) {
                throw bad(path, "character " + i + " is not one of [A-Za-z0-9_-]");
            }
        }
        return s;
    }

    /** An immutable copy of a list with at most {@code max} non-null entries. */
    public static <T> List<T> list(String path, List<T> list, int max) {
        present(path, list);
        if (list.size() > max) {
            throw tooLarge(path, list.size() + " entries exceeds " + max);
        }
        for (T t : list) {
            present(path + "[]", t);
        }
        return List.copyOf(list);
    }

    /**
     * UTF-8 byte length. Rejects unpaired surrogates: Java would silently encode them as '?',
     * which would break decode(encode(m)) == m and is not valid UTF-8 on the wire anyway.
     */
    public static int utf8Length(String path, String s) {
        Objects.requireNonNull(s);
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw bad(path, "unpaired surrogate at char " + i);
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Cuts {@code s} to at most {@code maxBytes} UTF-8 bytes without splitting a character. */
    public static String truncateUtf8(String s, int maxBytes) {
        int n = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (n + len > maxBytes) {
                break;
            }
            n += len;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }
}
