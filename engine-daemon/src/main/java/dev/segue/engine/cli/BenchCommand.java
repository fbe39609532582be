package dev.segue.engine.cli;

import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.bench.CancelBench;
import dev.segue.engine.bench.ContinuationBench;
import dev.segue.engine.bench.LatencyBench;
import dev.segue.engine.bench.MemoryBench;
import dev.segue.engine.bench.PublishedSizeBench;
import dev.segue.engine.bench.SketchTiming;
import dev.segue.engine.bench.VqVaeBench;
import dev.segue.engine.resident.PresetFiles;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.bench.EngineBench;
import dev.segue.engine.monitor.MemoryStats;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.resident.ComputeDevice;
import dev.segue.engine.sampling.PrimedSampler;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.Tier;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks. 'bench engine [PRESET]': prefill and cached-step throughput at N=1 and N=4 "
                + "against the memory-bandwidth bound, model bytes and peak RSS. 'bench protocol': heartbeat "
                + "round trip and 30 s stereo 48 kHz prime upload through the daemon over loopback. "
                + "'bench continuation [--model DIR]': real-time factor of each tier, and the re-prefill share of "
                + "windows. 'bench sketch [MODEL_DIR|PRESET]': the demo's job (8 s prime, 4 takes of 16 s, sketch "
                + "tier) timed, wall and CPU. 'bench cluster': jobs per minute through a gateway "
                + "with 1, 2, 3 workers on the stand-in prior (nats-server needed), and what the gateway adds to the "
                + "first preview and the heartbeat round trip. "
                + "'bench cancel [--cancels N] [--takes N] [--bars B] [--prime-seconds S]': the default prior's job behind "
                + "a daemon, cancelled at random times: the client's wait for CANCELLED and the engine's time to stop. "
                + "'bench memory [--jobs N] [--seconds S]': RSS and heap over N default-prior jobs of 4 takes. "
                + "'bench latency [--clients N] [--jobs N] [--seconds S]': heartbeat, list and cancel round trips while "
                + "N clients' jobs run.")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "WHAT", description = "What to benchmark: engine, sketch, continuation, vqvae, protocol, latency, cancel, memory or "
            + "cluster (each described above).")
    String what;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PRESET", defaultValue = "bench-13m",
            description = "Preset name under presets/ or a config file (default: ${DEFAULT-VALUE}).")
    String preset;


    @Option(names = "--tier", defaultValue = "sketch",
            description = "bench sketch: sketch, draft or full (a preset's upsamplers get seeded random weights).")
    String sketchTier;

    @Option(names = "--jobs", defaultValue = "40", description = "bench memory: jobs to run; bench latency: jobs per client.")
    int jobs;

    @Option(names = "--clients", defaultValue = "20", description = "bench latency: clients with jobs running.")
    int clients;

    @Option(names = "--cold", description = "bench cancel: no warm-up job before the first (timed) job.")
    boolean cold;

    @Option(names = "--cancels", defaultValue = "50", description = "bench cancel: cancels at random times.")
    int cancels;

    @Option(names = "--bars", defaultValue = "8", description = "bench cancel: bars per take at 120 bpm 4/4.")
    double bars;

    @Option(names = "--out", description = "bench sketch: also write prime.wav and the takes here.")
    Path sketchOut;

    @Option(names = "--json", description = "One JSON object per line, one per configuration.")
    boolean json;

    @Option(names = "--steps", description = "Cached steps timed per configuration (default 256; 16 for a published "
            + "model's preset).")
    Integer steps;

    @Option(names = "--prime-tokens", description = "engine: prime tokens prefilled before the steps (default: half "
            + "the window; 64 for a published model's preset).")
    Integer primeTokens;

    @Option(names = "--device", defaultValue = "auto", description = "engine, vqvae, continuation, sketch: auto (CUDA "
            + "when present), cpu, cuda or cuda:N.")
    String device;

    @Option(names = "--data", description = "engine: data folder whose bench/<preset>/ caches a published model's "
            + "random checkpoint (default: <segue home>/.segue-data).")
    Path data;

    // No picocli default: each bench has its own, and a default would overwrite what the unlisted spelling set.
    @Option(names = "--takes", split = ",", paramLabel = "N[,N...]", description = "engine, continuation: the take "
            + "counts to measure, each as one batch (default: 1,4); sketch, cancel: takes per job (default: 4).")
    int[] takes;

    /** The protocol's word for takes; kept, unlisted, for scripts that spell it so. */
    @Option(names = "--candidates", split = ",", hidden = true, paramLabel = "N[,N...]")
    void candidates(int[] n) {
        takes = n;
    }

    /** The take counts to measure, for the benches that compare them. */
    int[] takeCounts() {
        return takes != null ? takes : new int[] {1, 4};
    }

    /** The takes of each job, for the benches that run jobs. */
    int takesPerJob() {
        if (takes == null) {
            return 4;
        }
        if (takes.length != 1) {
            throw new IllegalArgumentException("bench " + what + " runs jobs of one take count: give --takes N");
        }
        return takes[0];
    }

    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs per configuration; the median run is reported.")
    int repeats;

    @Option(names = "--model", paramLabel = "DIR", description = "continuation: a model directory (default: the resident default).")
    Path model;

    @Option(names = "--seconds", defaultValue = "4", description = "continuation: seconds of audio per take.")
    double seconds;

    @Option(names = "--prime-seconds", defaultValue = "4", description = "continuation, cancel: seconds of prime (cancel: the demo prime's first S s, stereo).")
    double primeSeconds;

    @Option(names = "--djl-steps", description = "Run cached steps through DJL/libtorch instead of the CPU step kernel.")
    boolean djlSteps;

    @Option(names = "--token-ms", defaultValue = "50", description = "cluster: the stand-in prior's sleep per token.")
    long tokenMillis;

    @Option(names = "--cluster-jobs", defaultValue = "12", description = "cluster: jobs per timed run.")
    int clusterJobs;

    @Option(names = "--weights", paramLabel = "FORMAT", defaultValue = "bf16", converter = WeightFormatConverter.class,
            description = "engine: precision the prior's large matrices are held in: bf16 (default), fp16, fp32, as-stored.")
    dev.segue.engine.checkpoint.WeightFormat weights;

    @Option(names = "--leak-steps", defaultValue = "0",
            description = "Also run this many sampling steps and print RSS at start and end (native-leak check).")
    int leakSteps;

    @Override
    public Integer call() throws Exception {
        try {
            return bench();
        } catch (IllegalArgumentException | dev.segue.engine.config.ConfigException e) {
            System.err.println("bench: " + e.getMessage());
            return 2;
        }
    }

    private int bench() throws Exception {
        if ("protocol".equals(what)) {
            return benchProtocol();
        }
        if ("continuation".equals(what)) {
            return ContinuationBench.run(model, primeSeconds, seconds, takeCounts(), Math.min(repeats, 3), json,
                    ComputeDevice.choose(device));
        }
        if ("vqvae".equals(what)) {
            ComputeDevice on = ComputeDevice.choose(device); // before anything loads
            return VqVaeBench.run(PresetFiles.resolve(preset.equals("bench-13m") ? "jukebox-5b" : preset), on,
                    Math.min(repeats, 3), json);
        }
        if ("cluster".equals(what)) {
            return dev.segue.engine.bench.ClusterBench.run(tokenMillis, clusterJobs, Math.min(repeats, 3));
        }
        if ("latency".equals(what)) {
            return LatencyBench.run(clients, jobs, seconds);
        }
        if ("memory".equals(what)) {
            return MemoryBench.run(jobs, seconds);
        }
        if ("cancel".equals(what)) {
            return CancelBench.run(cancels, takesPerJob(), bars, primeSeconds, cold, 7);
        }
        if ("sketch".equals(what)) {
            return SketchTiming.run(preset.equals("bench-13m") ? "presets/default" : preset, takesPerJob(), 8.0, 16.0,
                    tier(sketchTier), sketchOut, ComputeDevice.choose(device), Math.min(repeats, 3));
        }
        if (!"engine".equals(what)) {
            System.err.println("bench: unknown target '" + what + "' (known: engine, vqvae, continuation, protocol, sketch, cluster, cancel, memory, latency)");
            return 2;
        }
        if (djlSteps) {
            System.setProperty("segue.cpuStepKernel", "false");
        }
        Path presetFile = PresetFiles.resolve(preset);
        ComputeDevice chosen = ComputeDevice.choose(device);
        if (PublishedSizeBench.isPublished(presetFile)) {
            return PublishedSizeBench.run(presetFile, new PublishedSizeBench.Options(chosen,
                    data != null ? data : PresetFiles.home().resolve(".segue-data"), primeTokens != null ? primeTokens : 64,
                    steps != null ? steps : 16, takeCounts(), weights, json));
        }
        int steps = this.steps != null ? this.steps : 256;
        int[] candidates = takeCounts();
        Path file = presetFile;
        ModelConfig config = ModelConfig.load(file);
        PriorConfig top = config.priors().values().stream().reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalArgumentException(file + " defines no prior"));
        String name = file.getFileName().toString().replaceFirst("\\.json$", "") + "/" + weights
                + (djlSteps ? "/djl-steps" : "");
        RandomWeights random = new RandomWeights(0);
        try (NDManager root = chosen.newManager(); Prior prior = new Prior(top, config.vqvae(), random, root, weights)) {
            long modelBytes = random.bytesMade();
            double bandwidth = EngineBench.copyBandwidth(root);
            double readBandwidth = EngineBench.readBandwidth(root);
            EngineBench bench = new EngineBench(prior, name, modelBytes, primeTokens != null ? primeTokens : 0);
            // Warm-up: two rounds over every configuration, so the JIT has compiled (and, after a new batch
            // size takes a new path, recompiled) the step kernel before anything is timed.
            for (int round = 0; round < 2; round++) {
                for (int n : candidates) {
                    bench.run(root, n, steps, bandwidth, readBandwidth);
                }
            }
            // Interleaved repeats, reported by the median run of each configuration: this virtual
            // machine's speed drifts between seconds, and interleaving spreads the drift evenly.
            java.util.Map<Integer, java.util.List<EngineBench.Result>> runs = new java.util.LinkedHashMap<>();
            for (int r = 0; r < repeats; r++) {
                for (int n : candidates) {
                    runs.computeIfAbsent(n, k -> new java.util.ArrayList<>())
                            .add(bench.run(root, n, steps, bandwidth, readBandwidth));
                }
            }
            EngineBench.Result base = null;
            java.util.List<EngineBench.Result> baseRuns = runs.get(candidates[0]);
            for (int n : candidates) {
                java.util.List<EngineBench.Result> list = new java.util.ArrayList<>(runs.get(n));
                // Steps and prefill each by their own median run: the drift that slows one run's steps need
                // not have touched its prefill.
                double[] prefills = list.stream().mapToDouble(EngineBench.Result::prefillMillis).sorted().toArray();
                list.sort(java.util.Comparator.comparingDouble(EngineBench.Result::stepMillisMedian));
                EngineBench.Result r = list.get(list.size() / 2).withPrefill(prefills[prefills.length / 2]);
                base = base == null ? r : base;
                print(r, base, pairedRatios(runs.get(n), baseRuns), bandwidth, readBandwidth);
            }
            if (leakSteps > 0) {
                leakCheck(root, prior);
            }
        }
        return 0;
    }

    /**
     * Median over rounds of this configuration's throughput against the first configuration's in the same
     * round, {step tokens/s ratio, prefill time ratio}: the machine's speed drifts over seconds (a shared L3
     * and memory bus), and a ratio of runs taken side by side cancels most of that drift.
     */
    private static double[] pairedRatios(java.util.List<EngineBench.Result> mine, java.util.List<EngineBench.Result> base) {
        double[] step = new double[mine.size()];
        double[] prefill = new double[mine.size()];
        for (int i = 0; i < mine.size(); i++) {
            step[i] = mine.get(i).stepTokensPerSecond() / base.get(i).stepTokensPerSecond();
            prefill[i] = mine.get(i).prefillMillis() / base.get(i).prefillMillis();
        }
        java.util.Arrays.sort(step);
        java.util.Arrays.sort(prefill);
        return new double[] {step[step.length / 2], prefill[prefill.length / 2]};
    }

    private void print(EngineBench.Result r, EngineBench.Result base, double[] paired, double bandwidth,
                       double readBandwidth) {
        if (json) {
            System.out.printf(Locale.ROOT, "{\"preset\":\"%s\",\"n\":%d,\"prime_tokens\":%d,\"prefill_ms\":%.2f,"
                            + "\"prefill_tokens_per_s\":%.1f,\"step_ms_median\":%.3f,\"step_tokens_per_s\":%.1f,"
                            + "\"bound_tokens_per_s\":%.1f,\"read_bound_tokens_per_s\":%.1f,\"step_bytes\":%d,"
                            + "\"model_bytes\":%d,\"copy_bandwidth_bytes_per_s\":%.0f,\"read_bandwidth_bytes_per_s\":%.0f,"
                            + "\"peak_rss_bytes\":%d,\"step_throughput_vs_first_paired\":%.3f,"
                            + "\"prefill_time_vs_first_paired\":%.3f}%n",
                    r.preset(), r.candidates(), r.primeTokens(), r.prefillMillis(), r.prefillTokensPerSecond(),
                    r.stepMillisMedian(), r.stepTokensPerSecond(), r.boundTokensPerSecond(),
                    r.readBoundTokensPerSecond(), r.stepBytes(), r.modelBytes(), bandwidth, readBandwidth,
                    r.peakRssBytes(), paired[0], paired[1]);
            return;
        }
        System.out.printf(Locale.ROOT, "%s N=%d: prefill %d tokens %.1f ms (%.0f tok/s, %.2fx N=1); "
                        + "cached step median %.3f ms = %.0f tok/s (%.2fx N=1), copy-bandwidth bound %.0f tok/s "
                        + "(%.0f%%), read-bandwidth bound %.0f tok/s (%.0f%%); step reads %.1f MB, model %.1f MB, "
                        + "copy %.1f GB/s, read %.1f GB/s, peak RSS %.0f MB; paired by round: %.2fx N=1 step "
                        + "throughput, %.2fx N=1 prefill time%n",
                r.preset(), r.candidates(), r.primeTokens(), r.prefillMillis(), r.prefillTokensPerSecond(),
                r.prefillMillis() / base.prefillMillis(), r.stepMillisMedian(), r.stepTokensPerSecond(),
                r.stepTokensPerSecond() / base.stepTokensPerSecond(), r.boundTokensPerSecond(),
                100 * r.stepTokensPerSecond() / r.boundTokensPerSecond(), r.readBoundTokensPerSecond(),
                100 * r.stepTokensPerSecond() / r.readBoundTokensPerSecond(), r.stepBytes() / 1e6,
                r.modelBytes() / 1e6, bandwidth / 1e9, readBandwidth / 1e9, r.peakRssBytes() / 1e6, paired[0],
                paired[1]);
    }

    private int benchProtocol() throws Exception {
        Path data = java.nio.file.Files.createTempDirectory("segue-bench-protocol");
        dev.segue.engine.bench.ProtocolBench.Result r = dev.segue.engine.bench.ProtocolBench.run(data, 2000, 20);
        if (json) {
            System.out.printf(Locale.ROOT, "{\"bench\":\"protocol\",\"heartbeat_rtt_us_median\":%.1f,"
                    + "\"upload_30s_stereo_48k_ms_median\":%.2f,\"prime_bytes\":%d}%n", r.heartbeatMicrosMedian(),
                    r.uploadMillisMedian(), r.primeBytes());
        } else {
            System.out.printf(Locale.ROOT, "protocol over loopback TCP: heartbeat round trip median %.1f us (2000); "
                    + "30 s stereo 48 kHz prime (%.1f MB) submit to accepted median %.2f ms (20), %.0f MB/s%n",
                    r.heartbeatMicrosMedian(), r.primeBytes() / 1e6, r.uploadMillisMedian(),
                    r.primeBytes() / 1e3 / r.uploadMillisMedian());
        }
        return 0;
    }

    /** Runs whole sampling windows until {@code leakSteps} cached steps are done; RSS must stay flat. */
    private void leakCheck(NDManager root, Prior prior) {
        int window = prior.config().nCtx();
        int prime = window / 2;
        long[][] primes = new long[1][prime];
        int[] stepsDone = {0};
        long startRss = -1;
        Monitor counter = new Monitor() {
            @Override
            public void progress(int level, long done, long total) {
                if (done > prime) {
                    stepsDone[0]++;
                }
            }
        };
        int round = 0;
        while (stepsDone[0] < leakSteps) {
            int total = Math.min(window, prime + (leakSteps - stepsDone[0]));
            new PrimedSampler(prior).sample(root, new PrimedSampler.Request(primes, 1, total,
                    dev.segue.engine.prior.LabelRow.neutral(prior.config()), null, new SamplingParams(1.0, 0, 0.0, round), window / 8), counter);
            if (round++ == 0) {
                System.gc();
                startRss = MemoryStats.residentBytes();
                System.out.printf(Locale.ROOT, "leak check: RSS after first window %.1f MB%n", startRss / 1e6);
            }
        }
        System.gc();
        long endRss = MemoryStats.residentBytes();
        System.out.printf(Locale.ROOT, "leak check: %d cached steps in %d windows; RSS start %.1f MB, end %.1f MB "
                + "(change %+.1f MB)%n", stepsDone[0], round, startRss / 1e6, endRss / 1e6, (endRss - startRss) / 1e6);
        if (json) {
            System.out.printf(Locale.ROOT, "{\"leak_check_steps\":%d,\"rss_start_bytes\":%d,\"rss_end_bytes\":%d}%n",
                    stepsDone[0], startRss, endRss);
        }
    }

    private static Tier tier(String name) {
        for (Tier t : Tier.values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("--tier: '" + name + "' is not sketch, draft or full");
    }
}
