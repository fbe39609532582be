package dev.segue.bridge.fake;

import dev.segue.protocol.Audio;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Cancel;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.Extend;
import dev.segue.protocol.message.Fetch;
import dev.segue.protocol.message.Heartbeat;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.Limits;
import dev.segue.protocol.message.JobInfo;
import dev.segue.protocol.message.JobState;
import dev.segue.protocol.message.Jobs;
import dev.segue.protocol.message.ListJobs;
import dev.segue.protocol.message.ListPresets;
import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.Labels;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.ListPriors;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.PresetInfo;
import dev.segue.protocol.message.Presets;
import dev.segue.protocol.message.PriorInfo;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Priors;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;
import dev.segue.protocol.message.Result;
import dev.segue.protocol.message.Submit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Canned daemon answers: capabilities, one prior and preset, and for a submit {@code accepted},
 * three progress messages, a preview, every candidate's result in 2 chunks (candidates
 * interleaved, as the spec allows) and {@code done}. The switches turn on the failure cases.
 */
public final class CannedDaemon implements FakeDaemon.Handler {
    public static final String JOB = "job-7";
    /** The job an accepted extend of {@link #JOB} gets (accepted only: it never runs). */
    public static final String EXTENSION = "job-8";
    public static final PriorInfo PRIOR = new PriorInfo("test-prior", 3, 48_000, false);
    public static final PresetInfo PRESET = new PresetInfo("test-preset", "test-prior", "canned answers");
    /** The test prior's artist list: longer than one page (128), so a client must page; it ships no genre list. */
    public static final List<String> ARTISTS = java.util.stream.IntStream.rangeClosed(1, 300)
            .mapToObj(i -> i == 129 ? "Ens\u00e9mble 129" : "Artist " + i).toList();
    public static final int SAMPLE_RATE = 48_000;
    public static final int CHANNELS = 2;

    private final List<float[]> takes;
    private final int totalFrames;
    private volatile long startSample;

    /** Sets where results say the takes start (a submit sets it from its context). */
    public void startSample(long sample) {
        startSample = sample;
    }

    /** The deepest tier the priors reply says the prior serves; null leaves the key out, as older daemons do. */
    public volatile Quality maxQuality;
    /** Answer a submit with this error instead of accepting it. */
    public volatile ErrorCode submitError;
    /** End the job with this error after its progress. */
    public volatile ErrorCode jobError;
    /** Leave out the last result chunk, yet send done. */
    public volatile boolean dropLastChunk;
    public volatile boolean answerHeartbeats = true;
    /** Accept jobs but never send their results (a job still running). */
    public volatile boolean finishJobs = true;
    /** List the job as running; a fetch then re-attaches (accepted, progress, a preview) before its results. */
    public volatile boolean listRunning;
    /** Before the job's messages: a frame that does not decode, a daemon heartbeat, another job's progress. */
    public volatile boolean noise;

    public CannedDaemon(List<float[]> takes) {
        this.takes = List.copyOf(takes);
        this.totalFrames = takes.get(0).length / CHANNELS;
    }

    /** {@code candidates} takes of {@code frames} stereo frames in [-1, 1), fixed by {@code seed}. */
    public static List<float[]> audibleTakes(int candidates, int frames, long seed) {
        Random r = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int c = 0; c < candidates; c++) {
            float[] s = new float[frames * CHANNELS];
            for (int i = 0; i < s.length; i++) {
                s[i] = r.nextFloat() * 2 - 1;
            }
            out.add(s);
        }
        return out;
    }

    /** Takes of arbitrary finite bit patterns (subnormals, -0.0, huge values), to test bit-exactness. */
    public static List<float[]> wildTakes(int candidates, int frames, long seed) {
        Random r = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int c = 0; c < candidates; c++) {
            float[] s = new float[frames * CHANNELS];
            for (int i = 0; i < s.length; i++) {
                float f;
                do {
                    f = Float.intBitsToFloat(r.nextInt());
                } while (!Float.isFinite(f));
                s[i] = f;
            }
            s[0] = -0.0f;
            s[1] = Float.MIN_VALUE;
            out.add(s);
        }
        return out;
    }

    public int totalFrames() {
        return totalFrames;
    }

    public long seedOf(int candidate) {
        return 1000 + candidate;
    }

    @Override
    public void handle(Message m, FakeDaemon.Replies out) {
        long req = m.req();
        if (m instanceof Hello) {
            out.send(new Capabilities(req, "fake-daemon", 1, List.of(PRIOR.name()), List.of(PRESET.name()),
                    Limits.protocolMaximum()));
        } else if (m instanceof ListPriors) {
            out.send(new Priors(req, List.of(maxQuality == null ? PRIOR : new PriorInfo(PRIOR.name(), PRIOR.levels(),
                    PRIOR.sampleRate(), PRIOR.labels(), null, null, maxQuality))));
        } else if (m instanceof ListPresets) {
            out.send(new Presets(req, List.of(PRESET)));
        } else if (m instanceof ListJobs) {
            JobState state = listRunning ? JobState.RUNNING : JobState.DONE;
            out.send(new Jobs(req, List.of(new JobInfo(JOB, state, takes.size(), listRunning ? 0 : takes.size(),
                    1_700_000_000_000L, "canned job"))));
        } else if (m instanceof ListLabels l) {
            if (!l.prior().equals(PRIOR.name())) {
                out.send(new ErrorReply(req, null, ErrorCode.UNKNOWN_PRIOR, "no prior '" + l.prior() + "'"));
                return;
            }
            List<String> names = l.kind() == LabelKind.ARTIST ? ARTISTS : List.of();
            int from = (int) Math.min(l.offset(), names.size());
            out.send(new Labels(req, l.prior(), l.kind(), names.size(), l.offset(),
                    names.subList(from, Math.min(names.size(), from + l.limit()))));
        } else if (m instanceof Submit s) {
            submit(s, out);
        } else if (m instanceof Fetch f) {
            if (f.job().equals(JOB) && listRunning) {
                // Re-attached to the running job: a preview streams, then it finishes.
                out.send(new Accepted(req, JOB));
                out.send(new Progress(req, JOB, 0, 50, 100, 500));
                out.send(new Preview(req, JOB, 1, SAMPLE_RATE, 0,
                        Audio.of(CHANNELS, Arrays.copyOf(takes.get(1), Math.min(100, totalFrames) * CHANNELS))));
                sendResults(req, out);
            } else if (f.job().equals(JOB)) {
                sendResults(req, out);
            } else {
                out.send(new ErrorReply(req, null, ErrorCode.UNKNOWN_JOB, "job: no job '" + f.job() + "'"));
            }
        } else if (m instanceof Cancel c) {
            if (!c.job().equals(JOB)) {
                out.send(new ErrorReply(req, null, ErrorCode.UNKNOWN_JOB, "job: no job '" + c.job() + "'"));
            } else if (finishJobs) {
                out.send(new Done(req, JOB, takes.size()));
            } else {
                out.send(new ErrorReply(req, JOB, ErrorCode.CANCELLED, "cancelled by request"));
            }
        } else if (m instanceof Extend e) {
            if (!e.job().equals(JOB) || e.candidate() >= takes.size()) {
                out.send(new ErrorReply(req, null, ErrorCode.UNKNOWN_JOB, "job: no take " + e.candidate() + " of '"
                        + e.job() + "'"));
            } else {
                out.send(new Accepted(req, EXTENSION));
            }
        } else if (m instanceof Heartbeat h && answerHeartbeats) {
            out.send(h);
        }
    }

    private void submit(Submit s, FakeDaemon.Replies out) {
        long req = s.req();
        if (submitError != null) {
            out.send(new ErrorReply(req, null, submitError, "request.prior: canned refusal"));
            return;
        }
        startSample = s.context().primeStartSample() + s.prime().frames();
        out.send(new Accepted(req, JOB));
        if (noise) {
            out.sendRaw(new byte[] {(byte) 0xc1});
            out.send(new Heartbeat(0, 4242));
            out.send(new Progress(req, "other-job", 0, 1, 2, 0));
        }
        for (int i = 0; i <= 2; i++) {
            out.send(new Progress(req, JOB, 0, 50L * i, 100, 1000L * (2 - i)));
        }
        int previewFrames = Math.min(100, totalFrames);
        out.send(new Preview(req, JOB, 0, SAMPLE_RATE, 0,
                Audio.of(CHANNELS, Arrays.copyOf(takes.get(0), previewFrames * CHANNELS))));
        if (jobError != null) {
            out.send(new ErrorReply(req, JOB, jobError, "canned job failure"));
        } else if (finishJobs) {
            sendResults(req, out);
        }
    }

    private void sendResults(long req, FakeDaemon.Replies out) {
        int split = totalFrames / 2 + 1; // uneven halves, so offsets are not a trivial multiple
        int[][] chunks = {{0, split}, {split, totalFrames}};
        for (int k = 0; k < chunks.length; k++) {
            for (int c = 0; c < takes.size(); c++) {
                if (dropLastChunk && k == 1 && c == takes.size() - 1) {
                    continue;
                }
                float[] part = Arrays.copyOfRange(takes.get(c), chunks[k][0] * CHANNELS, chunks[k][1] * CHANNELS);
                out.send(new Result(req, JOB, c, SAMPLE_RATE, startSample, totalFrames, chunks[k][0], seedOf(c),
                        Map.of("prior", PRIOR.name()), Audio.of(CHANNELS, part)));
            }
        }
        out.send(new Done(req, JOB, takes.size()));
    }
}
