package dev.segue.engine.cli;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.audio.Resampler;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.sampling.SamplingMonitor;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.SketchContinuation;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.vqvae.VqVae;
import dev.segue.protocol.message.GenerationRequest;

/** The daemon's {@link ContinuationEngine}: the resident models behind the sketch-tier continuation. */
final class EngineBackedContinuation implements ContinuationEngine {
    private final String name;
    private final NDManager manager;
    private final Prior top;
    private final SketchContinuation sketch;

    EngineBackedContinuation(String name, NDManager manager, VqVae vqvae, Prior top) {
        this.name = name;
        this.manager = manager;
        this.top = top;
        this.sketch = new SketchContinuation(vqvae, top);
    }

    @Override
    public String priorName() {
        return name;
    }

    @Override
    public int sampleRate() {
        return sketch.sampleRate();
    }

    @Override
    public int levels() {
        return 1;
    }

    @Override
    public boolean labels() {
        return top.config().labels();
    }

    @Override
    public double maxContinuationSeconds() {
        // A little under one window, leaving room for the resampler's margin at any client rate.
        return (double) (sketch.maxContinuationFrames() - RESAMPLE_MARGIN) / sketch.sampleRate();
    }

    /** Extra model-rate samples made beyond what the client asked, so resampling back never runs short. */
    private static final int RESAMPLE_MARGIN = 64;

    @Override
    public float[][] continueAudio(float[] monoPrime, int rate, long frames, GenerationRequest request, Monitor monitor) {
        int model = sketch.sampleRate();
        float[] prime = rate == model ? monoPrime
                : Resampler.resample(monoPrime, rate, model, Resampler.convertedLength(monoPrime.length, rate, model));
        long modelFrames = rate == model ? frames
                : Math.min(sketch.maxContinuationFrames(), Resampler.convertedLength(frames, rate, model) + RESAMPLE_MARGIN);
        float[][] takes = continueAtModelRate(prime, modelFrames, request, monitor, rate);
        if (rate != model) {
            for (int c = 0; c < takes.length; c++) {
                takes[c] = Resampler.resample(takes[c], model, rate, (int) frames);
            }
        }
        return takes;
    }

    private float[][] continueAtModelRate(float[] monoPrime, long frames, GenerationRequest request, Monitor monitor,
                                          int clientRate) {
        int model = sketch.sampleRate();
        double temperature = request.temperatures() == null || request.temperatures().isEmpty() ? 1.0
                : request.temperatures().get(0);
        SamplingParams params = new SamplingParams(temperature, request.topK() == null ? 0 : request.topK(),
                request.topP() == null ? 0.0 : request.topP(), request.seed());
        int level = top.config().level();
        return sketch.continueAudio(manager, monoPrime, frames, request.candidates(),
                top.config().labels() ? dev.segue.engine.prior.Labels.neutral(top.config()) : null, params, new SamplingMonitor() {
                    @Override
                    public void progress(int done, int total) {
                        monitor.progress(level, done, total);
                    }

                    @Override
                    public boolean cancelled() {
                        return monitor.cancelled();
                    }
                }, (candidate, offset, audio) -> {
                    if (clientRate == model) {
                        monitor.preview(candidate, offset, audio);
                    } else {
                        // Previews are rough by definition; each chunk is converted on its own.
                        long at = Math.round((double) offset * clientRate / model);
                        monitor.preview(candidate, at, Resampler.resample(audio, model, clientRate,
                                Resampler.convertedLength(audio.length, model, clientRate)));
                    }
                });
    }
}
