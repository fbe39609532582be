package dev.segue.bridge.cli;

import dev.segue.bridge.cli.Converters.TimeSignature;
import dev.segue.bridge.client.DaemonClient;
import dev.segue.bridge.client.JobResult;
import dev.segue.bridge.client.TakeNames;
import dev.segue.protocol.Audio;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Submit;
import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "continue", mixinStandardHelpOptions = true,
        description = "Continue a prime WAV into takes, written to --out as 24-bit WAVs <clip>_bar<N>_<bpm>bpm_take<K>.wav with a PNG each.")
final class ContinueCommand implements Callable<Integer> {
    static final double DEFAULT_BARS = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--in", paramLabel = "PRIME.wav",
            description = "the prime: 8/16/24/32-bit PCM or float WAV, mono or stereo, at most 60 s")
    Path in;

    @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "PRIME.wav",
            description = "the prime, as an alternative to --in")
    Path primeArgument;

    @ArgGroup(exclusive = true)
    LengthOptions length;

    static final class LengthOptions {
        @Option(names = "--bars", paramLabel = "N", description = "continuation length in bars (default 4)")
        Double bars;

        @Option(names = "--seconds", paramLabel = "S", description = "continuation length in seconds")
        Double seconds;
    }

    @Option(names = "--bpm", defaultValue = "120", paramLabel = "BPM", description = "tempo, quarter notes per minute (default: ${DEFAULT-VALUE})")
    double bpm;

    @Option(names = "--time-sig", defaultValue = "4/4", paramLabel = "NUM/DEN",
            converter = Converters.TimeSignatureConverter.class, description = "time signature (default: ${DEFAULT-VALUE})")
    TimeSignature timeSig;

    // Plain initial values, not picocli defaults: a default is applied after parsing to an option not given,
    // and would overwrite what the unlisted spellings below set.
    @Option(names = "--takes", paramLabel = "N", description = "number of takes, 1..16 (default: 4)")
    int takes = 4;

    /** The protocol's word for takes; kept, unlisted, for scripts that spell it so. */
    @Option(names = "--candidates", hidden = true, paramLabel = "N")
    void candidates(int n) {
        takes = n;
    }

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", converter = Converters.UnsignedLongConverter.class,
            description = "uint64 sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--temperature", defaultValue = "0.95", split = ",", paramLabel = "T",
            description = "one temperature for all prior levels, or one per level, top first (default: ${DEFAULT-VALUE})")
    List<Double> temperatures;

    @Option(names = "--prior", paramLabel = "NAME", description = "prior to sample (default: the preset's, else the daemon's first)")
    String prior;

    @Option(names = "--preset", paramLabel = "NAME", description = "generation preset (default: the first for the prior)")
    String preset;

    @Option(names = "--tier", paramLabel = "T", converter = Converters.QualityConverter.class,
            description = "sketch, draft or full (default: sketch)")
    Quality tier = Quality.SKETCH;

    /** The protocol's field name for the tier; kept, unlisted, for scripts that spell it so. */
    @Option(names = "--quality", hidden = true, paramLabel = "T", converter = Converters.QualityConverter.class)
    void quality(Quality q) {
        tier = q;
    }

    @Option(names = "--artist", paramLabel = "NAME", description = "artist label, for priors conditioned on artists")
    String artist;

    @Option(names = "--genre", paramLabel = "NAME", description = "genre label, for priors conditioned on genres")
    String genre;

    @Option(names = "--lyrics", paramLabel = "TEXT", description = "lyrics to sing, for lyrics priors (at most 4096 bytes)")
    String lyrics;

    @Option(names = "--lyrics-file", paramLabel = "FILE",
            description = "lyrics to sing, read from a UTF-8 text file (instead of --lyrics; at most 4096 bytes)")
    Path lyricsFile;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for the takes (created if missing)")
    Path out;

    @Option(names = "--timeout-s", defaultValue = "600", paramLabel = "S",
            description = "seconds to wait for the job to finish (default: ${DEFAULT-VALUE})")
    double timeoutS;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        var timeout = ConnectionOptions.seconds("--timeout-s", timeoutS);
        if ((in == null) == (primeArgument == null)) {
            throw new UsageError("give the prime once: as PRIME.wav or as --in PRIME.wav");
        }
        if (in == null) {
            in = primeArgument;
        }
        if (lyricsFile != null) {
            if (lyrics != null) {
                throw new UsageError("give the lyrics once: --lyrics TEXT or --lyrics-file FILE");
            }
            lyrics = LyricsFile.read(lyricsFile);
        }
        PcmAudio prime = readPrime();
        // Without a DAW the prime sits at the start of the timeline: sample 0, which is bar 1 (0.0 on the wire).
        DawContext context = new DawContext(prime.sampleRate(), bpm, timeSig.num(), timeSig.den(), 0, 0.0);
        Audio audio = Audio.of(prime.channels(), prime.samples());
        try (DaemonClient client = connection.connectStarting(spec.commandLine().getErr())) {
            client.hello(ConnectionOptions.CLIENT_NAME);
            PriorChoice choice = PriorChoice.pick(client, prior, preset, tier);
            GenerationRequest request = new GenerationRequest(choice.prior().name(), choice.preset(), length(), takes,
                    tier, choice.temperatures(temperatures), null, null, seed, artist, genre, lyrics);
            Accepted accepted = client.submit(new Submit(0, context, request, audio));
            stderr.println("job " + accepted.job() + " accepted (prior " + choice.prior().name() + ", preset "
                    + choice.preset() + ")");
            stderr.flush();
            ProgressLine progress = new ProgressLine(stderr);
            JobResult result;
            try {
                result = client.awaitJob(accepted.job(), progress, timeout);
            } finally {
                progress.finish();
            }
            double startBar = 1 + prime.frames() / (double) prime.sampleRate() / context.secondsForBars(1);
            TakeFiles.write(result, out, TakeNames.forClip(in.getFileName().toString(), startBar, bpm), prime, stdout,
                    stderr);
        }
        return 0;
    }

    private PcmAudio readPrime() {
        try {
            return WavReader.read(in, Bounds.MAX_AUDIO_SECONDS);
        } catch (IOException e) {
            throw new UsageError("--in: " + e.getMessage());
        }
    }

    private Length length() {
        if (length != null && length.seconds != null) {
            return new Length.Seconds(length.seconds);
        }
        return new Length.Bars(length != null && length.bars != null ? length.bars : DEFAULT_BARS);
    }
}
