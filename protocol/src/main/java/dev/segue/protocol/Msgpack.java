package dev.segue.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/** The few low-level msgpack reads the decoder needs, each bounded so hostile input cannot blow up. */
final class Msgpack {
    private Msgpack() {}

    static MessageUnpacker open(byte[] buf, int off, int end) {
        return MessagePack.newDefaultUnpacker(buf, off, end - off);
    }

    /**
     * Reads a str value of at most {@code maxBytes}, strictly as UTF-8 (no overlongs, no surrogates):
     * msgpack-java would otherwise replace bad bytes, and the re-encoded header would differ.
     */
    static String string(MessageUnpacker u, String path, int maxBytes) throws IOException {
        MessageFormat f = u.getNextFormat();
        if (f.getValueType() != ValueType.STRING) {
            throw Check.bad(path, "expected string, got " + describe(f));
        }
        int len = u.unpackRawStringHeader();
        if (len > maxBytes) {
            throw Check.tooLarge(path, len + " bytes exceeds " + maxBytes);
        }
        byte[] bytes = u.readPayload(len);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw Check.bad(path, "not valid UTF-8");
        }
    }

    /**
     * Skips one value, allowing containers down to {@link Bounds#MAX_DEPTH} given that this value
     * sits at {@code depth}. Iterative, so deep input cannot overflow the stack.
     */
    static void skip(MessageUnpacker u, int depth, String path) throws IOException {
        long[] remaining = new long[Bounds.MAX_DEPTH + 2];
        int level = 0;
        remaining[0] = 1;
        while (level >= 0) {
            if (remaining[level] == 0) {
                level--;
                continue;
            }
            remaining[level]--;
            ValueType t = u.getNextFormat().getValueType();
            long children;
            if (t == ValueType.ARRAY) {
                children = u.unpackArrayHeader();
            } else if (t == ValueType.MAP) {
                children = 2L * u.unpackMapHeader();
            } else {
                u.skipValue();
                continue;
            }
            if (depth + level > Bounds.MAX_DEPTH) {
                throw Check.bad(path, "nested deeper than " + Bounds.MAX_DEPTH + " levels");
            }
            remaining[++level] = children;
        }
    }

    /**
     * A msgpack-java failure as a ProtocolException naming {@code path}, in the wire's terms: the library's own
     * exception names and messages never reach a client.
     */
    static ProtocolException malformed(String path, Exception e) {
        String why;
        if (e instanceof MessageInsufficientBufferException || e instanceof java.io.EOFException) {
            why = "truncated";
        } else if (e instanceof org.msgpack.core.MessageNeverUsedFormatException
                || String.valueOf(e.getMessage()).contains("NEVER_USED")) {
            why = "byte 0xc1, which msgpack never uses";
        } else if (e instanceof org.msgpack.core.MessageSizeException) {
            why = "a length larger than the message holds";
        } else if (e instanceof org.msgpack.core.MessageIntegerOverflowException) {
            why = "an integer out of range";
        } else if (e instanceof org.msgpack.core.MessageTypeException) {
            why = "a value of the wrong type";
        } else {
            why = "not valid msgpack";
        }
        return ProtocolException.wrap(ErrorCode.BAD_MESSAGE, path + ": malformed msgpack (" + why + ")", e);
    }

    /** The msgpack type name of a format, for error texts. */
    static String describe(MessageFormat f) {
        return f == MessageFormat.NEVER_USED ? "byte 0xc1" : f.getValueType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
