package dev.segue.bridge.app.cache;

import dev.segue.bridge.client.JobResult;
import dev.segue.bridge.client.Take;
import dev.segue.bridge.client.TakeNames;
import dev.segue.protocol.Bounds;
import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavReader;
import dev.segue.protocol.wav.WavWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The app's copy of finished jobs, so each is fetched from the daemon once. On disk: every take as a
 * 24-bit WAV in {@code stems/}, named as the plugin names its stems, {@code <job>_bar<NNN>_<BPM>bpm_take<K>.wav}
 * with the job id in the place of the track, when the daemon says where the take sits in bars (result
 * metadata {@code start_bar}, {@code tempo_bpm}); else {@code <job>_take-01.wav}. An index
 * {@code jobs/<job>.properties} written last, so a job is cached only when all its takes are. In
 * memory: the most recently used jobs, up to a budget of samples; the rest are read back from disk.
 * The disk keeps the newest {@code maxJobsOnDisk} jobs.
 */
public final class TakeCache {
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern STEM_FILE = Pattern.compile("[A-Za-z0-9_.-]{1,200}\\.wav");

    private final Path stems;
    private final Path index;
    private final long memoryBudgetSamples;
    private final int maxJobsOnDisk;
    private final LinkedHashMap<String, List<CachedTake>> memory = new LinkedHashMap<>(16, 0.75f, true);
    private long samplesInMemory;

    public TakeCache(Path dir, long memoryBudgetSamples, int maxJobsOnDisk) throws IOException {
        if (memoryBudgetSamples < 1 || maxJobsOnDisk < 1) {
            throw new IllegalArgumentException("cache budgets must be positive");
        }
        this.stems = Files.createDirectories(dir.resolve("stems"));
        this.index = Files.createDirectories(dir.resolve("jobs"));
        this.memoryBudgetSamples = memoryBudgetSamples;
        this.maxJobsOnDisk = maxJobsOnDisk;
    }

    public Path stemsDir() {
        return stems;
    }

    public static String stemName(String job, int candidate) {
        return String.format(Locale.ROOT, "%s_take-%02d.wav", job, candidate + 1);
    }

    /** The take's file name: bar-named like the plugin's stems when the daemon placed it in bars. */
    public static String stemName(String job, Take take) {
        if (take.metadata().containsKey("start_bar") && take.metadata().containsKey("tempo_bpm")) {
            return TakeNames.forTake(job, take.candidate(), take.metadata());
        }
        return stemName(job, take.candidate());
    }

    /** The job's takes if they are in memory; never touches the disk (safe on the EDT). */
    public synchronized List<CachedTake> inMemory(String job) {
        return memory.get(job);
    }

    /** The job's takes from memory or disk; null when not cached (or the disk copy is incomplete). */
    public List<CachedTake> load(String job) throws IOException {
        List<CachedTake> hit = inMemory(job);
        if (hit != null || !JOB_ID.matcher(job).matches()) {
            return hit;
        }
        Path file = index.resolve(job + ".properties");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        List<CachedTake> takes = readFromDisk(job, file);
        if (takes != null) {
            remember(job, takes);
        }
        return takes;
    }

    /** Writes the job's takes and index, keeps them in memory, and returns them. */
    public List<CachedTake> put(JobResult result) throws IOException {
        String job = result.job();
        if (!JOB_ID.matcher(job).matches()) {
            throw new IOException("job id '" + job + "' is not safe as a file name");
        }
        List<CachedTake> takes = new ArrayList<>();
        Properties p = new Properties();
        p.setProperty("candidates", Integer.toString(result.takes().size()));
        for (Take t : result.takes()) {
            String file = stemName(job, t);
            Path stem = stems.resolve(file);
            WavWriter.write24(stem, new PcmAudio(t.sampleRate(), t.channels(), t.samples()));
            String k = "take." + t.candidate() + ".";
            p.setProperty(k + "file", file);
            p.setProperty(k + "sample_rate", Integer.toString(t.sampleRate()));
            p.setProperty(k + "channels", Integer.toString(t.channels()));
            p.setProperty(k + "frames", Integer.toString(t.frames()));
            p.setProperty(k + "start_sample", Long.toString(t.startSample()));
            p.setProperty(k + "seed", Long.toUnsignedString(t.seed()));
            takes.add(new CachedTake(job, t, stem));
        }
        Path tmp = Files.createTempFile(index, "." + job, ".part");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "segue app: takes of job " + job);
        }
        Files.move(tmp, index.resolve(job + ".properties"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        remember(job, takes);
        pruneDisk();
        return takes;
    }

    /** The take's WAV, written again from memory if someone removed it from the cache folder. */
    public Path ensureStem(CachedTake t) throws IOException {
        if (!Files.isRegularFile(t.stem())) {
            Take take = t.take();
            WavWriter.write24(t.stem(), new PcmAudio(take.sampleRate(), take.channels(), take.samples()));
        }
        return t.stem();
    }

    private synchronized void remember(String job, List<CachedTake> takes) {
        List<CachedTake> old = memory.put(job, List.copyOf(takes));
        samplesInMemory += samples(takes) - (old == null ? 0 : samples(old));
        Iterator<Map.Entry<String, List<CachedTake>>> it = memory.entrySet().iterator();
        while (samplesInMemory > memoryBudgetSamples && memory.size() > 1 && it.hasNext()) {
            Map.Entry<String, List<CachedTake>> eldest = it.next();
            if (!eldest.getKey().equals(job)) {
                samplesInMemory -= samples(eldest.getValue());
                it.remove();
            }
        }
    }

    private static long samples(List<CachedTake> takes) {
        long n = 0;
        for (CachedTake t : takes) {
            n += t.take().samples().length;
        }
        return n;
    }

    private List<CachedTake> readFromDisk(String job, Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        try {
            int candidates = boundedInt(p, "candidates", 1, Bounds.MAX_CANDIDATES);
            List<CachedTake> takes = new ArrayList<>();
            for (int c = 0; c < candidates; c++) {
                String k = "take." + c + ".";
                int rate = boundedInt(p, k + "sample_rate", Bounds.MIN_SAMPLE_RATE, Bounds.MAX_SAMPLE_RATE);
                int channels = boundedInt(p, k + "channels", 1, 2);
                int frames = boundedInt(p, k + "frames", 1, Bounds.MAX_CONTINUATION_SECONDS * rate);
                long start = Long.parseLong(p.getProperty(k + "start_sample", "-1"));
                long seed = Long.parseUnsignedLong(p.getProperty(k + "seed", ""));
                if (start < 0) {
                    throw new IOException(k + "start_sample missing or negative");
                }
                String name = p.getProperty(k + "file", stemName(job, c));
                if (!STEM_FILE.matcher(name).matches()) {
                    throw new IOException(k + "file is not a plain WAV file name");
                }
                Path stem = stems.resolve(name);
                PcmAudio a = WavReader.read(stem, Bounds.MAX_CONTINUATION_SECONDS);
                if (a.sampleRate() != rate || a.channels() != channels || a.frames() != frames) {
                    throw new IOException(stem + " does not match the index");
                }
                takes.add(new CachedTake(job, new Take(c, rate, channels, start, seed, Map.of(), a.samples()), stem));
            }
            return takes;
        } catch (IOException | RuntimeException e) {
            // A stale or damaged copy is not an error to show: the job is fetched from the daemon again.
            Files.deleteIfExists(file);
            return null;
        }
    }

    private static int boundedInt(Properties p, String key, int min, int max) throws IOException {
        int v;
        try {
            v = Integer.parseInt(p.getProperty(key, ""));
        } catch (NumberFormatException e) {
            throw new IOException(key + " missing or not a number");
        }
        if (v < min || v > max) {
            throw new IOException(key + " = " + v + " outside " + min + ".." + max);
        }
        return v;
    }

    /** Keeps the newest jobs' files; the index goes first so a half-removed job is simply not cached. */
    private void pruneDisk() throws IOException {
        List<Path> jobs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(index, "*.properties")) {
            ds.forEach(jobs::add);
        }
        if (jobs.size() <= maxJobsOnDisk) {
            return;
        }
        jobs.sort(Comparator.comparing(TakeCache::modified).reversed());
        for (Path old : jobs.subList(maxJobsOnDisk, jobs.size())) {
            String job = old.getFileName().toString().replaceFirst("\\.properties$", "");
            Files.deleteIfExists(old);
            for (int c = 0; c < Bounds.MAX_CANDIDATES; c++) {
                Files.deleteIfExists(stems.resolve(stemName(job, c)));
            }
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
