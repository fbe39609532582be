package dev.segue.engine.eval;

import dev.segue.engine.monitor.Monitor;
import ai.djl.ndarray.NDManager;
import dev.segue.engine.analysis.TempoEstimator;
import dev.segue.engine.audio.Resampler;
import dev.segue.engine.audio.StereoImage;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.Tier;
import dev.segue.engine.vqvae.VqVae;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code segue eval --audio DIR --bpm B}: the model on recordings the corpus did not make, at a tempo the
 * user gives as a DAW would. Each excerpt is split into a prime and its true continuation; the grid is the
 * given tempo, its beats placed where the excerpt's onsets fall at that tempo
 * ({@link TempoEstimator#beatAt}: a producer lines the grid up with the recording), the first of them taken as
 * a downbeat of a four-beat bar (what is on the bar line is not known here). Per excerpt: whether the take's
 * estimated tempo agrees with the given one, its onset share on the grid, and for a stereo recording how its
 * image follows the prime's; the true continuation beside each.
 */
public final class RecordingEvaluation {
    private RecordingEvaluation() {}

    /** One recording's excerpt, interleaved at its own rate. */
    public record Excerpt(String name, float[] interleaved, int channels, int sampleRate, double bpm) {
        public Excerpt {
            if (channels < 1 || channels > 2 || interleaved.length % channels != 0) {
                throw new IllegalArgumentException(name + ": " + channels + " channels; mono or stereo only");
            }
            if (!(bpm >= 20 && bpm <= 400)) {
                throw new IllegalArgumentException(name + ": tempo " + bpm + " outside 20..400 BPM");
            }
        }
    }

    /**
     * One excerpt's rows. Tempo: 1 agrees with the given tempo (±4%, octaves allowed), 0 not, NaN too short.
     * Onsets: shares on the grid. Stereo: null for a mono recording.
     */
    public record Row(String name, double bpm, double primeBpm, double takeBpmGrid, double agreesGrid,
                      double agreesMeasured, double agreesTruth, double onsetsGrid, double onsetsMeasured,
                      double onsetsTruth, double onsetsOffGrid, StereoAgreement.Agreement stereoTake,
                      StereoAgreement.Agreement stereoTruth, StereoAgreement.Agreement stereoDualMono) {}

    public static List<Row> run(NDManager root, VqVae vqvae, Prior top, List<Excerpt> excerpts, double primeSeconds,
                                double continuationSeconds, double temperature, long seed, PrintStream log) {
        int sr = vqvae.config().sampleRate();
        ContinuationPipeline sketch = new ContinuationPipeline(vqvae, java.util.Map.of(top.config().level(), top));
        int hop = vqvae.config().hopLength(vqvae.config().levels() - 1);
        long oneWindow = (long) (top.config().nCtx() - 1) * hop;
        int continuation = (int) Math.min(Math.round(continuationSeconds * sr), oneWindow / 2);
        int primeFrames = (int) Math.round(primeSeconds * sr);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < excerpts.size(); i++) {
            Excerpt e = excerpts.get(i);
            float[][] channels = new float[e.channels()][];
            for (int c = 0; c < e.channels(); c++) {
                float[] ch = new float[e.interleaved().length / e.channels()];
                for (int f = 0; f < ch.length; f++) {
                    ch[f] = e.interleaved()[f * e.channels() + c];
                }
                channels[c] = e.sampleRate() == sr ? ch
                        : Resampler.resample(ch, e.sampleRate(), sr, Resampler.convertedLength(ch.length, e.sampleRate(), sr));
            }
            if (channels[0].length < primeFrames + continuation) {
                throw new IllegalArgumentException(e.name() + ": " + channels[0].length / (double) sr + " s; the excerpt "
                        + "needs " + (primeFrames + continuation) / (double) sr + " s");
            }
            float[] mono = new float[primeFrames + continuation];
            for (int f = 0; f < mono.length; f++) {
                mono[f] = e.channels() == 1 ? channels[0][f] : 0.5f * (channels[0][f] + channels[1][f]);
            }
            float[] prime = Arrays.copyOf(mono, primeFrames);
            float[] truth = Arrays.copyOfRange(mono, primeFrames, primeFrames + continuation);
            double bpm = e.bpm();
            double beat = TempoEstimator.beatAt(mono, sr, bpm);        // a beat, seconds from the excerpt's start
            PrimeTraits.Grid grid = new PrimeTraits.Grid(bpm, 4, -beat * bpm / 60);
            ContinuationPipeline.Request request = new ContinuationPipeline.Request(1, Tier.SKETCH,
                    List.of(new SamplingParams(temperature, 0, 0.0, seed + i)), true, true);
            log.printf("eval: %s (%d/%d) at %.1f BPM, beats from %.3f s%n", e.name(), i + 1, excerpts.size(), bpm, beat);
            float[] measured = sketch.continueAudio(root, prime, continuation, request, new Monitor() {})[0];
            float[] onGrid = top.hasBeatClock() ? sketch.continueWithCodes(root, prime, continuation, request, grid,
                    new Monitor() {}).takes()[0] : measured;
            double seam = beat - primeFrames / (double) sr;          // that beat relative to the continuation
            StereoAgreement.Agreement take = null;
            StereoAgreement.Agreement real = null;
            StereoAgreement.Agreement dual = null;
            if (e.channels() == 2) {
                float[] primeStereo = interleave(Arrays.copyOf(channels[0], primeFrames), Arrays.copyOf(channels[1], primeFrames));
                StereoImage.Bands primeBands = StereoImage.bands(Arrays.copyOf(channels[0], primeFrames),
                        Arrays.copyOf(channels[1], primeFrames), sr);
                float[][] t = StereoImage.split(StereoImage.measure(primeStereo, 2, sr).render(onGrid, prime));
                take = StereoAgreement.of(primeBands, StereoImage.bands(t[0], t[1], sr));
                real = StereoAgreement.of(primeBands, StereoImage.bands(
                        Arrays.copyOfRange(channels[0], primeFrames, primeFrames + continuation),
                        Arrays.copyOfRange(channels[1], primeFrames, primeFrames + continuation), sr));
                dual = StereoAgreement.of(primeBands, StereoImage.bands(onGrid, onGrid, sr));
            }
            rows.add(new Row(e.name(), bpm, tempo(prime, sr), tempo(onGrid, sr), agrees(onGrid, sr, bpm),
                    agrees(measured, sr, bpm), agrees(truth, sr, bpm), GridOnsets.share(onGrid, sr, bpm, seam),
                    GridOnsets.share(measured, sr, bpm, seam), GridOnsets.share(truth, sr, bpm, seam),
                    GridOnsets.share(onGrid, sr, bpm, seam + 30 / bpm), take, real, dual));
        }
        return rows;
    }

    public static String markdown(List<Row> rows, String model, int sampleRate, double primeSeconds,
                                  double continuationSeconds) {
        StringBuilder s = new StringBuilder();
        s.append(f("### segue eval --audio: %s%n%n", model));
        s.append(f("%d recordings, %.2f s prime → %.2f s continuation at %d Hz, sketch tier; the grid is the given "
                + "tempo, lined up with each excerpt's onsets. Tempo: the take's estimated tempo agrees with the given "
                + "one (±4%%, octaves allowed). Onsets: share of onset strength within ±%.0f ms of the grid's beats; "
                + "\"half a beat off\" is the grid-clocked take against the grid moved by half a beat. Stereo: mean "
                + "|difference| of the per-band inter-channel correlation against the prime's.%n%n", rows.size(),
                primeSeconds, continuationSeconds, sampleRate, 1000 * GridOnsets.TOLERANCE_S));
        s.append("| recording | BPM given | prime's estimated BPM | take's estimated BPM (grid clock) | tempo agrees: "
                + "grid clock / estimated clock / true continuation | onsets on the grid: grid clock / estimated clock / "
                + "true continuation / half a beat off | stereo: take with the prime's image / true continuation / "
                + "L = R |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        double[] sums = new double[10];
        int[] counts = new int[10];
        for (Row r : rows) {
            double[] v = {r.agreesGrid(), r.agreesMeasured(), r.agreesTruth(), r.onsetsGrid(), r.onsetsMeasured(),
                    r.onsetsTruth(), r.onsetsOffGrid(), diff(r.stereoTake()), diff(r.stereoTruth()), diff(r.stereoDualMono())};
            for (int k = 0; k < v.length; k++) {
                if (!Double.isNaN(v[k])) {
                    sums[k] += v[k];
                    counts[k]++;
                }
            }
            s.append(f("| %s | %.1f | %.1f | %.1f | %s / %s / %s | %s / %s / %s / %s | %s / %s / %s |%n", r.name(), r.bpm(),
                    r.primeBpm(), r.takeBpmGrid(), n(v[0], "%.0f"), n(v[1], "%.0f"), n(v[2], "%.0f"), n(v[3], "%.3f"),
                    n(v[4], "%.3f"), n(v[5], "%.3f"), n(v[6], "%.3f"), n(v[7], "%.3f"), n(v[8], "%.3f"), n(v[9], "%.3f")));
        }
        double[] m = new double[10];
        for (int k = 0; k < m.length; k++) {
            m[k] = counts[k] == 0 ? Double.NaN : sums[k] / counts[k];
        }
        s.append(f("| **mean** | | | | %s / %s / %s | %s / %s / %s / %s | %s / %s / %s |%n", n(m[0], "%.2f"),
                n(m[1], "%.2f"), n(m[2], "%.2f"), n(m[3], "%.3f"), n(m[4], "%.3f"), n(m[5], "%.3f"), n(m[6], "%.3f"),
                n(m[7], "%.3f"), n(m[8], "%.3f"), n(m[9], "%.3f")));
        return s.toString();
    }

    private static double diff(StereoAgreement.Agreement a) {
        return a == null ? Double.NaN : a.meanAbsDifference();
    }

    private static double tempo(float[] audio, int sr) {
        return audio.length < TempoEstimator.minSeconds() * sr ? Double.NaN : TempoEstimator.estimateBpm(audio, sr);
    }

    private static double agrees(float[] audio, int sr, double bpm) {
        double t = tempo(audio, sr);
        return Double.isNaN(t) ? Double.NaN : TempoEstimator.agree(t, bpm, Coherence.TEMPO_TOLERANCE) ? 1 : 0;
    }

    private static float[] interleave(float[] l, float[] r) {
        float[] out = new float[2 * l.length];
        for (int i = 0; i < l.length; i++) {
            out[2 * i] = l[i];
            out[2 * i + 1] = r[i];
        }
        return out;
    }

    private static String n(double v, String format) {
        return Double.isNaN(v) ? "n/a" : f(format, v);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
