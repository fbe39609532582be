package dev.segue.bridge.cli;

import dev.segue.bridge.client.JobResult;
import dev.segue.bridge.client.Take;
import dev.segue.bridge.client.TakeNames;
import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavWriter;
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
        return write(job, dir, names, null, out, err);
    }

    /**
     * Also writes {@code <take>.png} beside each WAV: the prime (when given, at the take's rate) and the take on
     * one time axis with the seam marked.
     */
    static List<Path> write(JobResult job, Path dir, IntFunction<String> names, PcmAudio prime, PrintWriter out,
                            PrintWriter err) throws IOException {
        List<Path> written = new ArrayList<>();
        for (Take t : job.takes()) {
            Path file = dir.resolve(names.apply(t.candidate()));
            long clipped = WavWriter.write24(file, new PcmAudio(t.sampleRate(), t.channels(), t.samples()));
            Path png = file.resolveSibling(file.getFileName().toString().replaceFirst("\\.wav$", "") + ".png");
            boolean samePrime = prime != null && prime.sampleRate() == t.sampleRate();
            TakePictures.write(png, samePrime ? prime.samples() : new float[0], samePrime ? prime.channels() : 1,
                    t.samples(), t.channels(), t.sampleRate(), file.getFileName() + (samePrime ? "  (prime | take)" : ""));
            err.printf(Locale.ROOT, "%s: %.2f s, %d Hz, %d ch, seed %s, starts at sample %d%n", file.getFileName(),
                    t.frames() / (double) t.sampleRate(), t.sampleRate(), t.channels(),
                    Long.toUnsignedString(t.seed()), t.startSample());
            if (clipped > 0) {
                err.printf(Locale.ROOT, "%s: %d samples outside [-1, 1) were clipped to 24-bit full scale%n",
                        file.getFileName(), clipped);
            }
            out.println(file);
            out.println(png);
            written.add(file);
        }
        out.println("job " + job.job());
        out.flush();
        err.flush();
        return written;
    }
}
