package dev.segue.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.vectors.VectorFiles;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link DawContext#secondsForBars} against {@code vectors/bars_seconds.tsv}, bit for bit. The C core's
 * {@code test_transport} reads the same file, so the two languages are held to the same doubles; several
 * rows give a different double under any other order of the same arithmetic.
 */
class BarsSecondsVectorsTest {
    @Test
    void secondsForBarsGivesTheVectorsBits() throws Exception {
        List<String> lines = Files.readAllLines(VectorFiles.dir().resolve("bars_seconds.tsv"));
        int rows = 0;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            double bars = Double.parseDouble(f[0]);
            DawContext context = new DawContext(48_000, Double.parseDouble(f[1]), Integer.parseInt(f[2]),
                    Integer.parseInt(f[3]), 0, 0.0);
            long want = Long.parseUnsignedLong(f[4], 16);
            double got = context.secondsForBars(bars);
            assertEquals(want, Double.doubleToRawLongBits(got), line + ": got " + got);
            rows++;
        }
        assertTrue(rows >= 10, "the vector file has its rows");
    }
}
