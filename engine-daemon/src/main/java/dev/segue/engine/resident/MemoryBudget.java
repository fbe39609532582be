package dev.segue.engine.resident;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How much memory the daemon's models may take: {@code --memory-budget GB}, or by default a share of the device's
 * memory. On the CPU: 0.75 of MemTotal less the JVM's maximum heap (the models live off the heap, in libtorch and
 * direct buffers; the rest is left to the OS, the heap and the DAW beside it). On CUDA: 0.85 of the device's memory
 * (activations and the KV cache need the rest).
 */
public final class MemoryBudget {
    static final double CPU_SHARE = 0.75;
    static final double GPU_SHARE = 0.85;

    private MemoryBudget() {}

    /** {@code gigabytes} (decimal GB, as the figures print) from the option, else the default for the device. */
    public static long bytes(Double gigabytes, ComputeDevice device) {
        if (gigabytes != null) {
            if (!(gigabytes > 0) || gigabytes > 1e6) {
                throw new IllegalArgumentException("--memory-budget: " + gigabytes + " GB is not a positive size");
            }
            return (long) (gigabytes * 1e9);
        }
        return device.cuda() ? (long) (GPU_SHARE * gpuBytes(device)) : cpuDefault(memTotal(), Runtime.getRuntime().maxMemory());
    }

    static long cpuDefault(long memTotal, long maxHeap) {
        return Math.max(1L << 28, (long) (CPU_SHARE * memTotal) - maxHeap);
    }

    /** How the default was reached, for the daemon's start-up line. */
    public static String describe(Double gigabytes, ComputeDevice device) {
        if (gigabytes != null) {
            return "--memory-budget";
        }
        return device.cuda() ? String.format(Locale.ROOT, "default: %.2f of the GPU's memory", GPU_SHARE)
                : String.format(Locale.ROOT, "default: %.2f of MemTotal less the JVM's maximum heap", CPU_SHARE);
    }

    static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: no /proc (not Linux)
        }
        return Runtime.getRuntime().maxMemory() * 4;
    }

    private static long gpuBytes(ComputeDevice device) {
        return ai.djl.util.cuda.CudaUtils.getGpuMemory(device.device()).getMax();
    }
}
