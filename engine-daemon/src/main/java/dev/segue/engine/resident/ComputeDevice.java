package dev.segue.engine.resident;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the models run: {@code --device auto|cpu|cuda[:N]}. {@code auto} is the first CUDA device when the
 * PyTorch engine sees one, else the CPU. Asking for CUDA where none is visible is an error that says what was
 * found (the engine's GPU count and whether {@code nvidia-smi} exists), never a silent fall-back to the CPU.
 *
 * <p>On CUDA every NDManager is made on the device, so the weights, the KV cache, prefill and the cached steps
 * (through DJL's PyTorch engine: {@code Prior.openSteps} leaves the CPU step kernel to the CPU) and the VQ-VAE
 * all live there. This path has not run on a GPU yet: it is unverified.
 */
public record ComputeDevice(String spec, Device device) {
    /** The PyTorch engine's GPU count and the spec's own text, for a device that can be made here. */
    public static ComputeDevice choose(String spec) {
        return choose(spec, gpuCount());
    }

    /** As {@link #choose(String)} with the GPU count given: testable without a GPU or with a pretend one. */
    static ComputeDevice choose(String spec, int gpus) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) {
            return new ComputeDevice("auto", gpus > 0 ? Device.gpu(0) : Device.cpu());
        }
        if (s.equals("cpu")) {
            return new ComputeDevice("cpu", Device.cpu());
        }
        if (s.equals("cuda") || s.equals("gpu") || s.matches("cuda:\\d{1,3}")) {
            int index = s.indexOf(':') < 0 ? 0 : Integer.parseInt(s.substring(s.indexOf(':') + 1));
            if (gpus <= index) {
                throw new IllegalArgumentException("no CUDA device: --device " + spec + " asked for CUDA device "
                        + index + ", but " + whatWasFound(gpus) + "; use --device cpu or auto");
            }
            return new ComputeDevice(s, Device.gpu(index));
        }
        throw new IllegalArgumentException("--device: '" + spec + "' is not auto, cpu, cuda or cuda:N");
    }

    public boolean cuda() {
        return device.isGpu();
    }

    /** A root manager on this device (DJL offline, the native library from the Maven jar). */
    public NDManager newManager() {
        configureOffline();
        return NDManager.newBaseManager(device, "PyTorch");
    }

    /** Human-readable: "cpu" or "cuda:0 (auto)". */
    public String describe() {
        String name = device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
        return spec.equals(name) ? name : name + " (" + spec + ")";
    }

    /** GPUs the PyTorch engine sees; 0 with the CPU build of libtorch, which is what the CPU jar ships. */
    static int gpuCount() {
        configureOffline();
        return Engine.getEngine("PyTorch").getGpuCount();
    }

    private static String whatWasFound(int gpus) {
        String engine;
        try {
            Engine e = Engine.getEngine("PyTorch");
            engine = "the PyTorch engine (libtorch " + e.getVersion() + ") sees " + gpus + " CUDA device"
                    + (gpus == 1 ? "" : "s");
        } catch (RuntimeException ex) {
            engine = "the PyTorch engine did not start (" + ex.getMessage() + ")";
        }
        boolean smi = System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "nvidia-smi")));
        return engine + " and nvidia-smi is " + (smi ? "present (is this the CPU build? ./segue selects the CUDA "
                + "build where nvidia-smi runs)" : "not on PATH (no NVIDIA driver)");
    }

    private static void configureOffline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }
}
