package dev.segue.engine.resident;

import dev.segue.engine.monitor.Monitor;
import ai.djl.ndarray.NDManager;
import dev.segue.engine.audio.Resampler;
import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.Tier;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.Quality;
import dev.segue.engine.sampling.SeamPolish;
import dev.segue.engine.sampling.SongLabels;
import dev.segue.engine.labels.LabelNames;
import dev.segue.engine.lyrics.LyricsVocabulary;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.List;

/**
 * The daemon's {@link ContinuationEngine}: the resident models behind the continuation pipeline, with the
 * DAW-rate conversion on both sides (the pipeline works at the model's rate).
 */
public final class EngineBackedContinuation implements ContinuationEngine {
    /** Extra model-rate samples made beyond what the client asked, so resampling back never runs short. */
    private static final int RESAMPLE_MARGIN = 64;
    /** The protocol's longest continuation; windows make any length up to it possible. */
    private static final double MAX_SECONDS = 600.0;

    private final String name;
    private final NDManager manager;
    private final ContinuationPipeline pipeline;
    /** The top prior's artist and genre names; null when the model ships none. */
    private final LabelNames names;

    public EngineBackedContinuation(String name, NDManager manager, ContinuationPipeline pipeline) {
        this(name, manager, pipeline, null);
    }

    public EngineBackedContinuation(String name, NDManager manager, ContinuationPipeline pipeline, LabelNames names) {
        this.name = name;
        this.manager = manager;
        this.pipeline = pipeline;
        this.names = names;
    }

    @Override
    public String priorName() {
        return name;
    }

    @Override
    public int sampleRate() {
        return pipeline.sampleRate();
    }

    @Override
    public int levels() {
        return pipeline.levels();
    }

    @Override
    public boolean labels() {
        return pipeline.top().config().labels();
    }

    @Override
    public boolean lyrics() {
        return pipeline.top().config().usesLyrics();
    }

    @Override
    public void checkLabel(String kind, String label) {
        if (names == null || !(kind.equals("artist") ? names.hasArtists() : names.hasGenres())) {
            ContinuationEngine.super.checkLabel(kind, label);
            return;
        }
        songLabel(kind, label);
    }

    @Override
    public List<String> labelNames(LabelKind kind) {
        if (names == null) {
            return List.of();
        }
        return kind == LabelKind.ARTIST ? names.artistList() : names.genreList();
    }

    /** The ids of an artist or genre name; an unknown name is BAD_MESSAGE naming the field and close matches. */
    private Object songLabel(String kind, String label) {
        try {
            return kind.equals("artist") ? (Object) names.artist(label) : names.genres(label);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request." + kind + ": prior '" + name + "': " + e.getMessage());
        }
    }

    @Override
    public void checkLyrics(String text) {
        try {
            LyricsVocabulary.forLabels(pipeline.top().config().labelsV3()).tokenise(text);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request." + e.getMessage() + " (prior '" + name + "')");
        }
    }

    /** Artist, genre and lyrics of a request as the pipeline takes them; names were checked on submit. */
    private SongLabels songLabels(GenerationRequest request) {
        Integer artist = request.artist() == null ? null : (Integer) songLabel("artist", request.artist());
        int[] genres = request.genre() == null ? null : (int[]) songLabel("genre", request.genre());
        String lyrics = lyrics() ? request.lyrics() : null;
        return new SongLabels(artist, genres, lyrics);
    }

    @Override
    public double maxContinuationSeconds() {
        return MAX_SECONDS;
    }

    @Override
    public double minPrimeSeconds() {
        // A little over one top hop: resampling to the model rate may shorten the prime by a sample, and a prior
        // with a fixed beat may hear it shortened by up to a factor of the square root of 2.
        double oneHop = (pipeline.topHop() + 2.0) / pipeline.sampleRate();
        return Double.isNaN(pipeline.modelBpm()) ? oneHop : oneHop * Math.sqrt(2);
    }

    @Override
    public boolean supports(Quality quality) {
        return pipeline.supports(tier(quality));
    }

    static Tier tier(Quality q) {
        return switch (q) {
            case SKETCH -> Tier.SKETCH;
            case DRAFT -> Tier.DRAFT;
            case FULL -> Tier.FULL;
        };
    }

    /** A beat-clocked prior keeps the context's grid (tempo, bar, the prime's first bar) as its clock. */
    @Override
    public Takes continueTakes(float[] monoPrime, int rate, long frames, GenerationRequest request, DawContext context,
                               Monitor monitor) {
        PrimeTraits.Grid grid = context == null ? null : PrimeTraits.Grid.ofBars(context.tempoBpm(),
                context.timeSigNum(), context.timeSigDen(), context.primeStartBar());
        int model = pipeline.sampleRate();
        float[] prime = rate == model ? monoPrime
                : Resampler.resample(monoPrime, rate, model, Resampler.convertedLength(monoPrime.length, rate, model),
                        () -> stopIfCancelled(monitor, "while resampling the prime"));
        long modelFrames = rate == model ? frames : Resampler.convertedLength(frames, rate, model) + RESAMPLE_MARGIN;
        List<SamplingParams> perLevel = new ArrayList<>();
        for (double t : request.temperatures()) {
            perLevel.add(new SamplingParams(t, request.topK() == null ? 0 : request.topK(),
                    request.topP() == null ? 0.0 : request.topP(), request.seed()));
        }
        ContinuationPipeline.Request r = new ContinuationPipeline.Request(request.candidates(), tier(request.quality()),
                perLevel, true, true, songLabels(request));
        ContinuationPipeline.Sampled sampled = pipeline.continueWithCodes(manager, prime, modelFrames, r, grid,
                new Monitor() {
            @Override
            public void progress(int level, long done, long total) {
                monitor.progress(level, done, total);
            }

            @Override
            public boolean cancelled() {
                return monitor.cancelled();
            }

            @Override
            public void preview(int candidate, long offset, float[] audio) {
                if (rate == model) {
                    monitor.preview(candidate, offset, audio);
                } else {
                    // Previews are rough by definition; each chunk is converted on its own.
                    long at = Math.round((double) offset * rate / model);
                    monitor.preview(candidate, at, Resampler.resample(audio, model, rate,
                            Resampler.convertedLength(audio.length, model, rate)));
                }
            }
        });
        float[][] takes = sampled.takes();
        byte[][] states = new byte[takes.length][];
        for (int c = 0; c < takes.length; c++) {
            String resampling = "while resampling take " + c;
            Map<Integer, long[]> codes = new TreeMap<>();
            for (var e : sampled.codes().entrySet()) {
                codes.put(e.getKey(), e.getValue()[c]);
            }
            List<SamplingParams> own = new ArrayList<>();
            for (SamplingParams p : perLevel) { // candidate c draws stream seed + c: its own seed from here on
                own.add(new SamplingParams(p.temperature(), p.topK(), p.topP(), p.seed() + c));
            }
            states[c] = new TakeState(r.tier(), sampled.primeTopTokens(), modelFrames, own, codes, r.song(),
                    sampled.traits(), sampled.warp()).toBytes();
            if (rate != model) {
                takes[c] = Resampler.resample(takes[c], model, rate, (int) frames,
                        () -> stopIfCancelled(monitor, resampling));
            }
        }
        return new Takes(takes, states);
    }

    /** The job's cancel check between blocks of work this class does itself (resampling). */
    private static void stopIfCancelled(Monitor monitor, String stage) {
        if (monitor.cancelled()) {
            throw new dev.segue.engine.sampling.CancelledException(stage);
        }
    }

    /** Offsets an extension's seed by the take's length, so each extension of a take draws fresh numbers. */
    private static final long EXTENSION_SEED_STRIDE = 0xD1B54A32D192ED03L;

    @Override
    public Takes extend(byte[] stateBytes, float[] previousTake, int rate, long frames, Monitor monitor) {
        TakeState state = TakeState.fromBytes(stateBytes);
        if (state.song() == null && lyrics()) {
            // Extending without the take's lyrics would sing something else; such states predate keeping them.
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "job: this take of a "
                    + "lyrics prior was made before takes kept their lyrics; it cannot be extended with them");
        }
        SongLabels song = state.song() == null ? SongLabels.NONE : state.song();
        int model = pipeline.sampleRate();
        long previousFrames = previousTake.length;
        // The take so far at the model rate is what the state says; new samples are counted the same way.
        long modelTotal = rate == model ? previousFrames + frames
                : Resampler.convertedLength(previousFrames + frames, rate, model) + RESAMPLE_MARGIN;
        long extra = Math.max(1, modelTotal - state.modelFrames());
        List<SamplingParams> params = new ArrayList<>();
        for (SamplingParams p : state.perLevel()) {
            params.add(new SamplingParams(p.temperature(), p.topK(), p.topP(),
                    p.seed() + EXTENSION_SEED_STRIDE * state.codes().values().iterator().next().length));
        }
        ContinuationPipeline.Sampled sampled = pipeline.extend(manager, state.codes(), state.primeTopTokens(),
                state.modelFrames(), extra, state.traits(), state.warp(),
                new ContinuationPipeline.Request(1, state.tier(), params, false, false, song),
                new Monitor() {
                    @Override
                    public void progress(int level, long done, long total) {
                        monitor.progress(level, done, total);
                    }

                    @Override
                    public boolean cancelled() {
                        return monitor.cancelled();
                    }
                });
        float[] whole = sampled.takes()[0];
        if (rate != model) {
            whole = Resampler.resample(whole, model, rate, (int) (previousFrames + frames),
                    () -> stopIfCancelled(monitor, "while resampling the extended take"));
        }
        // The new part starts at the sample after the old take's last, exactly, because both were cut from
        // the same time-0-aligned resampling of the take.
        float[] fresh = java.util.Arrays.copyOfRange(whole, (int) previousFrames, (int) (previousFrames + frames));
        if (previousFrames > 0) {
            SeamPolish.declick(fresh, previousTake[(int) previousFrames - 1], whole[(int) previousFrames - 1],
                    (int) Math.round(0.005 * rate));
            SeamPolish.matchLoudness(fresh, previousTake, rate);
        }
        Map<Integer, long[]> codes = new TreeMap<>();
        for (var e : sampled.codes().entrySet()) {
            codes.put(e.getKey(), e.getValue()[0]);
        }
        long modelFramesNow = state.modelFrames() + extra;
        byte[] next = new TakeState(state.tier(), state.primeTopTokens(), modelFramesNow, state.perLevel(), codes,
                song, state.traits(), state.warp()).toBytes();
        return new Takes(new float[][] {fresh}, new byte[][] {next});
    }
}
