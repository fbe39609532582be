package dev.segue.engine.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

/** --device: auto takes CUDA only when there is one; asking for CUDA without one is a clear error. */
class ComputeDeviceTest {
    @Test
    void withoutAGpuAutoIsTheCpuAndCudaIsAClearError() {
        assertEquals(Device.cpu(), ComputeDevice.choose("auto", 0).device());
        assertEquals(Device.cpu(), ComputeDevice.choose("cpu", 0).device());
        for (String spec : new String[] {"cuda", "cuda:0", "CUDA:1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComputeDevice.choose(spec, 0));
            assertTrue(e.getMessage().startsWith("no CUDA device: --device " + spec), e.getMessage());
            assertTrue(e.getMessage().contains("sees 0 CUDA devices"), e.getMessage());
        }
    }

    @Test
    void withGpusAutoTakesTheFirstAndAnIndexMustExist() {
        assertEquals(Device.gpu(0), ComputeDevice.choose("auto", 2).device());
        assertTrue(ComputeDevice.choose("auto", 1).cuda());
        assertEquals(Device.gpu(1), ComputeDevice.choose("cuda:1", 2).device());
        assertThrows(IllegalArgumentException.class, () -> ComputeDevice.choose("cuda:2", 2));
        assertFalse(ComputeDevice.choose("cpu", 2).cuda());
    }

    @Test
    void anUnknownDeviceNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComputeDevice.choose("tpu", 0));
        assertTrue(e.getMessage().contains("auto, cpu, cuda or cuda:N"), e.getMessage());
    }

    @Test
    void thisMachineSeesNoGpuSoAutoIsTheCpu() {
        // The CPU build of libtorch (what the CPU jar ships) reports no CUDA device.
        org.junit.jupiter.api.Assumptions.assumeTrue(ComputeDevice.gpuCount() == 0, "a GPU is present");
        assertEquals(Device.cpu(), ComputeDevice.choose("auto").device());
        assertThrows(IllegalArgumentException.class, () -> ComputeDevice.choose("cuda"));
    }
}
