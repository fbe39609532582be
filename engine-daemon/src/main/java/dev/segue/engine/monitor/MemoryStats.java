package dev.segue.engine.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident-set figures from /proc: what the process really holds, native (libtorch) memory included. */
public final class MemoryStats {
    private MemoryStats() {}

    public static long residentBytes() {
        return statusField("VmRSS:");
    }

    public static long peakResidentBytes() {
        return statusField("VmHWM:");
    }

    /**
     * Resets the peak (VmHWM) to the current resident size, so a later {@link #peakResidentBytes} covers only
     * what follows; false where the kernel does not allow it.
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long statusField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
