package dev.segue.protocol.message;

import java.util.Comparator;

/**
 * Orders strings as their UTF-8 bytes compare unsigned, which is code-point order. The canonical
 * key order of open maps (result metadata), so a C encoder sorting with memcmp agrees byte for byte.
 * (String.compareTo compares UTF-16 units and disagrees for characters above U+FFFF.)
 */
final class Utf8Order implements Comparator<String> {
    static final Utf8Order INSTANCE = new Utf8Order();

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
