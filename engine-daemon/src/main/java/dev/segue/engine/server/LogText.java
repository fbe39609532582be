package dev.segue.engine.server;

/**
 * Client-supplied text as it may appear in a log line: control characters (newlines included) and
 * backslashes escaped, so a client cannot start a line of its own, and cut to a bounded length.
 */
final class LogText {
    static final int MAX_CHARS = 200;

    private LogText() {}

    static String of(Object untrusted) {
        String s = String.valueOf(untrusted);
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_CHARS) + 8);
        for (int i = 0; i < s.length(); i++) {
            if (b.length() >= MAX_CHARS) {
                b.append("...");
                break;
            }
            char c = s.charAt(i);
            if (c == '\\') {
                b.append("\\\\");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
