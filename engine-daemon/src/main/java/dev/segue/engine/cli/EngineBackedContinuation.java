package dev.segue.engine.cli;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.audio.Resampler;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.Tier;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Quality;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's {@link ContinuationEngine}: the resident models behind the continuation pipeline, with the
 * DAW-rate conversion on both sides (the pipeline works at the model's rate).
 */
final class EngineBackedContinuation implements ContinuationEngine {
    /** Extra model-rate samples made beyond what the client asked, so resampling back never runs short. */
    private static final int RESAMPLE_MARGIN = 64;
    /** The protocol's longest continuation; windows make any length up to it possible. */
    private static final double MAX_SECONDS = 600.0;

    private final String name;
    private final NDManager manager;
    private final ContinuationPipeline pipeline;

    EngineBackedContinuation(String name, NDManager manager, ContinuationPipeline pipeline) {
        this.name = name;
        this.manager = manager;
        this.pipeline = pipeline;
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
    public double maxContinuationSeconds() {
        return MAX_SECONDS;
    }

    @Override
    public double minPrimeSeconds() {
        // A little over one top hop: resampling to the model rate may shorten the prime by a sample.
        return (pipeline.topHop() + 2.0) / pipeline.sampleRate();
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

    @Override
    public float[][] continueAudio(float[] monoPrime, int rate, long frames, GenerationRequest request, Monitor monitor) {
        int model = pipeline.sampleRate();
        float[] prime = rate == model ? monoPrime
                : Resampler.resample(monoPrime, rate, model, Resampler.convertedLength(monoPrime.length, rate, model));
        long modelFrames = rate == model ? frames : Resampler.convertedLength(frames, rate, model) + RESAMPLE_MARGIN;
        List<SamplingParams> perLevel = new ArrayList<>();
        for (double t : request.temperatures()) {
            perLevel.add(new SamplingParams(t, request.topK() == null ? 0 : request.topK(),
                    request.topP() == null ? 0.0 : request.topP(), request.seed()));
        }
        ContinuationPipeline.Request r = new ContinuationPipeline.Request(request.candidates(), tier(request.quality()),
                perLevel, true, true);
        float[][] takes = pipeline.continueAudio(manager, prime, modelFrames, r, new ContinuationPipeline.Monitor() {
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
        if (rate != model) {
            for (int c = 0; c < takes.length; c++) {
                takes[c] = Resampler.resample(takes[c], model, rate, (int) frames);
            }
        }
        return takes;
    }
}
