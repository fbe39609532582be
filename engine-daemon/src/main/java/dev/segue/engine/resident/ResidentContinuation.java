package dev.segue.engine.resident;

import dev.segue.engine.monitor.Monitor;
import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.DType;
import dev.segue.engine.checkpoint.WeightFormat;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.labels.LabelNames;
import dev.segue.engine.lyrics.LyricsVocabulary;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.resident.ResidentSet;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.sampling.WindowCache;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolException;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.Quality;
import java.util.ArrayList;
import java.util.List;

/**
 * One top prior of a model folder under the daemon's memory budget: what a request is checked against (rate,
 * levels, tiers, labels, lyrics) comes from the folder's config without loading it; a job loads the folder on
 * first use (its progress says {@code loading prior} meanwhile) and holds it while it runs, and between jobs the
 * folder may be unloaded to make room for another. The top priors of one folder load and unload together, since
 * they share its VQ-VAE and upsamplers.
 */
public final class ResidentContinuation implements ContinuationEngine {
    /** The loaded models of one folder and their engines, in {@link ModelFolder#tops()} order. */
    public record Loaded(List<ResidentModel> models, List<EngineBackedContinuation> engines) implements AutoCloseable {
        static Loaded load(NDManager root, ModelFolder folder, WindowCache cachePolicy, WeightFormat format) {
            List<ResidentModel> models = ResidentModel.loadAll(root, folder.dir(), folder.configFile(), format);
            List<EngineBackedContinuation> engines = new ArrayList<>();
            for (ResidentModel m : models) {
                engines.add(new EngineBackedContinuation(m.name(), root,
                        new ContinuationPipeline(m.vqvae(), m.priors(), cachePolicy), m.labelNames()));
            }
            return new Loaded(models, engines);
        }

        @Override
        public void close() {
            // The first model owns what the folder's models share: close it last.
            for (int i = models.size() - 1; i >= 0; i--) {
                models.get(i).close();
            }
        }
    }

    /** One engine per top prior of each folder, each folder one slot of {@code set} of the given size. */
    public static List<ResidentContinuation> engines(NDManager root, List<ModelFolder> folders, List<Long> sizes,
                                              ResidentSet<Loaded> set, WindowCache cachePolicy, WeightFormat format) {
        List<ResidentContinuation> out = new ArrayList<>();
        for (int f = 0; f < folders.size(); f++) {
            ModelFolder folder = folders.get(f);
            ResidentSet<Loaded>.Slot slot = set.add(folder.name(), sizes.get(f), () -> Loaded.load(root, folder, cachePolicy, format));
            for (int i = 0; i < folder.tops().size(); i++) {
                out.add(new ResidentContinuation(folder, i, set, slot, format));
            }
        }
        return out;
    }

    private final ModelFolder folder;
    private final int index;
    private final ResidentSet<Loaded> set;
    private final ResidentSet<Loaded>.Slot slot;
    private final PriorConfig top;
    private final LabelNames names;
    /** The type the step kernel's key/value cache is held in: the weights' (fp32 for as-stored: an upper bound). */
    private final DType cacheType;

    ResidentContinuation(ModelFolder folder, int index, ResidentSet<Loaded> set, ResidentSet<Loaded>.Slot slot,
                         WeightFormat format) {
        this.folder = folder;
        this.index = index;
        this.set = set;
        this.slot = slot;
        this.cacheType = format == WeightFormat.AS_STORED ? DType.F32 : format.held(DType.F32);
        this.top = folder.tops().get(index).config();
        this.names = folder.dir() != null && top.labels() ? LabelNames.load(folder.dir(), top) : null;
    }

    /** The description the daemon prints at start-up. */
    public String description() {
        return (folder.dir() == null ? "presets/demo-sketch.json (seeded random weights)" : folder.dir().toString())
                + ", config " + folder.configFile() + ", prior levels " + topLevel() + (folder.upsamplers() > 0
                ? ".." + (topLevel() - folder.upsamplers()) : "") + (top.usesLyrics() ? ", lyrics" : "")
                + (names == null ? "" : ", " + names.artistNames().size() + " artists, " + names.genreNames().size()
                + " genres") + ", " + (slot.bytes() < 0 ? "size measured on load" : ResidentSet.gb(slot.bytes())
                + " loaded");
    }

    private int topLevel() {
        return folder.config().vqvae().levels() - 1;
    }

    @Override
    public String priorName() {
        return folder.tops().get(index).name();
    }

    @Override
    public int sampleRate() {
        return folder.config().vqvae().sampleRate();
    }

    @Override
    public int levels() {
        return 1 + folder.upsamplers();
    }

    @Override
    public boolean labels() {
        return top.labels();
    }

    @Override
    public boolean lyrics() {
        return top.usesLyrics();
    }

    @Override
    public boolean supports(Quality quality) {
        return EngineBackedContinuation.tier(quality).lowestLevel(topLevel()) >= topLevel() - folder.upsamplers();
    }

    @Override
    public void checkLabel(String kind, String label) {
        if (names == null || !(kind.equals("artist") ? names.hasArtists() : names.hasGenres())) {
            ContinuationEngine.super.checkLabel(kind, label);
            return;
        }
        try {
            if (kind.equals("artist")) {
                names.artist(label);
            } else {
                names.genres(label);
            }
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request." + kind + ": prior '" + priorName() + "': "
                    + e.getMessage());
        }
    }

    @Override
    public List<String> labelNames(LabelKind kind) {
        if (names == null) {
            return List.of();
        }
        return kind == LabelKind.ARTIST ? names.artistList() : names.genreList();
    }

    @Override
    public void checkLyrics(String text) {
        try {
            LyricsVocabulary.forLabels(top.labelsV3()).tokenise(text);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "request." + e.getMessage() + " (prior '" + priorName() + "')");
        }
    }

    @Override
    public double minPrimeSeconds() {
        return (folder.config().vqvae().hopLength(topLevel()) + 2.0) / sampleRate();
    }

    @Override
    public double maxContinuationSeconds() {
        return 600.0;
    }

    @Override
    public Long weightBytes() {
        return slot.bytes() < 0 ? null : slot.bytes();
    }

    @Override
    public Boolean loaded() {
        return slot.loaded();
    }

    @Override
    public void checkFits(int takes, Quality quality) {
        String refused = set.refusal(slot, workingBytes(takes, quality), cacheUse(takes));
        if (refused != null) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, refused);
        }
    }

    /**
     * Bytes a job of {@code takes} takes at {@code quality} holds beside the prior while it runs: the key/value cache
     * of a whole window at the level that needs the most (the levels run one after another), with the guidance twin
     * of each take where the prior has one.
     */
    long workingBytes(int takes, Quality quality) {
        int lowest = Math.max(EngineBackedContinuation.tier(quality).lowestLevel(topLevel()),
                topLevel() - folder.upsamplers());
        long most = 0;
        for (int level = topLevel(); level >= lowest; level--) {
            PriorConfig c = level == topLevel() ? top : folder.config().priors().get(level);
            int rows = takes * (c.pitchGuidance() != 1 ? 2 : 1);
            most = Math.max(most, Prior.windowCacheBytes(c, rows, cacheType));
        }
        return most;
    }

    private static String cacheUse(int takes) {
        return "the key/value cache of " + takes + (takes == 1 ? " take" : " takes");
    }

    /** The DAW's context goes through to the loaded engine, whose beat clock follows its grid. */
    @Override
    public Takes continueTakes(float[] monoPrime, int rate, long frames, GenerationRequest request, DawContext context,
                               Monitor monitor) {
        int takes = request.candidates();
        try (ResidentSet<Loaded>.Lease lease = acquire(monitor, workingBytes(takes, request.quality()), cacheUse(takes))) {
            return lease.value().engines().get(index).continueTakes(monoPrime, rate, frames, request, context, monitor);
        }
    }

    @Override
    public Takes extend(byte[] state, float[] previousTake, int rate, long frames, Monitor monitor) {
        // One take, at whichever tier it was made: counted at the tier that needs the most.
        try (ResidentSet<Loaded>.Lease lease = acquire(monitor, workingBytes(1, Quality.FULL), cacheUse(1))) {
            return lease.value().engines().get(index).extend(state, previousTake, rate, frames, monitor);
        }
    }

    /** Loads the folder now if it is not in memory (start-up), and leaves it idle. */
    public void preload() {
        try (ResidentSet<Loaded>.Lease lease = acquire(new Monitor() {
            @Override
            public void progress(int level, long done, long total) {}

            @Override
            public boolean cancelled() {
                return false;
            }
        }, 0, "")) {
            lease.value();
        }
    }

    /** Loads the folder if it is not in memory, telling the job's progress; a prior that cannot fit is refused. */
    private ResidentSet<Loaded>.Lease acquire(Monitor monitor, long working, String what) {
        try {
            return set.acquire(slot, working, what, (name, bytes) -> monitor.stage(topLevel(), "loading prior"));
        } catch (ResidentSet.TooLarge e) { // what the job asks for (its takes, its tier) cannot fit the budget
            throw new ProtocolException(ErrorCode.TOO_LARGE, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to load prior '" + priorName() + "'");
        }
    }
}
