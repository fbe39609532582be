package dev.segue.bridge.cli;

import dev.segue.bridge.audio.PcmAudio;
import dev.segue.bridge.audio.WavWriter;
import dev.segue.bridge.client.JobResult;
import dev.segue.bridge.client.Take;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/** Writes a job's takes as 24-bit WAVs named by {@link TakeNames} (candidate 0 is take 1). */
final class TakeFiles {
    private TakeFiles() {}

    /** Paths go to {@code out} (one a line, for scripts); details and warnings to {@code err}. */
    static List<Path> write(JobResult job, Path dir, IntFunction<String> names, PrintWriter out, PrintWriter err)
            throws IOException {
        List<Path> written = new ArrayList<>();
        for (Take t : job.takes()) {
            Path file = dir.resolve(names.apply(t.candidate()));
            long clipped = WavWriter.write24(file, new PcmAudio(t.sampleRate(), t.channels(), t.samples()));
            err.printf(Locale.ROOT, "%s: %.2f s, %d Hz, %d ch, seed %s, starts at sample %d%n", file.getFileName(),
                    t.frames() / (double) t.sampleRate(), t.sampleRate(), t.channels(),
                    Long.toUnsignedString(t.seed()), t.startSample());
            if (clipped > 0) {
                err.printf(Locale.ROOT, "%s: %d samples outside [-1, 1) were clipped to 24-bit full scale%n",
                        file.getFileName(), clipped);
            }
            out.println(file);
            written.add(file);
        }
        out.println("job " + job.job());
        out.flush();
        err.flush();
        return written;
    }
}
