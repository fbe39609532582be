package dev.segue.bridge.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lyrics for {@code segue continue --lyrics-file}: a UTF-8 text file within the protocol's bound on
 * {@code request.lyrics}, so an over-long or mis-encoded file is refused here, naming the file, rather than by
 * the daemon. Whether the characters are in the prior's vocabulary is the daemon's call (it knows the prior).
 */
final class LyricsFile {
    static final int MAX_BYTES = dev.segue.protocol.Bounds.MAX_LYRICS_BYTES;

    private LyricsFile() {}

    static String read(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1); // never more than the bound, whatever the file's size
        } catch (IOException e) {
            throw new UsageError("--lyrics-file " + file + ": cannot read it (" + e.getMessage() + ")");
        }
        if (bytes.length > MAX_BYTES) {
            throw new UsageError("--lyrics-file " + file + ": longer than " + MAX_BYTES + " bytes, the most a request carries");
        }
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF
                ? 3 : 0; // a UTF-8 byte-order mark is not part of the lyrics
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, bytes.length - start)).toString();
        } catch (CharacterCodingException e) {
            throw new UsageError("--lyrics-file " + file + ": not UTF-8 text");
        }
    }
}
