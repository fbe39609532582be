package dev.segue.engine.cli;

import dev.segue.engine.corpus.Clip;
import dev.segue.engine.corpus.CorpusGenerator;
import dev.segue.engine.corpus.GervillRenderer;
import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code segue corpus}: renders the procedurally composed training corpus, or the bundled demo prime. */
@Command(name = "corpus", mixinStandardHelpOptions = true,
        description = "Compose and render training clips (GM SoundFont through Gervill, offline) with a manifest.")
final class CorpusCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Output folder (clip-SEED.wav, manifest.csv, manifest.json).")
    Path out;

    @Option(names = "--clips", defaultValue = "16", description = "Number of clips (1..1000000).")
    int clips;

    @Option(names = "--seconds", defaultValue = "10", description = "Clip length in seconds (0.5..120).")
    double seconds;

    @Option(names = "--seed", defaultValue = "0",
            description = "First clip's seed; clip i has seed SEED+i. Held-out clips: start at 1000000000.")
    long seed;

    @Option(names = "--rate", defaultValue = "22050", description = "Sample rate in Hz (8000..96000).")
    int rate;

    @Option(names = "--threads", defaultValue = "1", description = "Rendering threads (output does not depend on it).")
    int threads;

    @Option(names = "--soundfont", description = "SoundFont (.sf2); default /usr/share/sounds/sf2/FluidR3_GM.sf2.")
    Path soundfont;

    @Option(names = "--demo-prime", description = "Write only the bundled 4-bar 120 BPM demo prime as OUT/demo-prime.wav.")
    boolean demoPrime;

    @Override
    public Integer call() throws IOException {
        if (clips < 1 || clips > CorpusGenerator.MAX_CLIPS || !(seconds >= 0.5 && seconds <= 120)
                || rate < 8000 || rate > 96000 || threads < 1 || threads > 64) {
            System.err.println("corpus: need --clips 1..1000000, --seconds 0.5..120, --rate 8000..96000, --threads 1..64");
            return 2;
        }
        CorpusGenerator generator = new CorpusGenerator(soundfont == null ? GervillRenderer.DEFAULT_SOUNDFONT : soundfont);
        Files.createDirectories(out);
        long t0 = System.nanoTime();
        if (demoPrime) {
            Clip prime = generator.demoPrime(rate);
            Path file = out.resolve("demo-prime.wav");
            WavWriter.write16(file, new PcmAudio(rate, 1, prime.audio()));
            System.out.printf("corpus: wrote %s (%.1f s, %d Hz, %s, %d BPM)%n", file, prime.audio().length / (double) rate,
                    rate, prime.spec().key(), prime.spec().bpm());
            return 0;
        }
        List<Map<String, Object>> rows = generator.generate(seed, clips, seconds, rate, out, threads);
        double wall = (System.nanoTime() - t0) / 1e9;
        double audio = rows.size() * seconds;
        System.out.printf("corpus: %d clips (seeds %d..%d), %.0f s of audio at %d Hz in %.1f s wall: %.1f s audio per s%n",
                rows.size(), seed, seed + clips - 1, audio, rate, wall, audio / wall);
        System.out.println("corpus: manifest " + out.resolve("manifest.csv") + " and manifest.json");
        return 0;
    }
}
