package dev.segue.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.config.ConfigException;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.prior.Prior;
import dev.segue.engine.testing.CpuManager;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A prior's {@code temperature_scale}: it is sampled at the asked temperature times the scale, so the same
 * weights with scale 0.5 at temperature 2 draw exactly what they draw with scale 1 at temperature 1.
 */
class TemperatureScaleTest {
    @RegisterExtension
    static final CpuManager root = new CpuManager();

    /** The tiny model of {@code PitchGuidanceTest}, its top prior without a beat clock. */
    private static ModelConfig config(String scale) throws Exception {
        return PitchGuidanceTest.config("\"beat_clock\": false" + scale);
    }

    private static long[] sample(String scale, double temperature) throws Exception {
        ModelConfig c = config(scale);
        try (Prior prior = new Prior(c.priors().get(2), c.vqvae(), new RandomWeights(5, 0.5), root.get())) {
            long[] prime = {3, 9, 1, 30, 12, 7};
            return new WindowedSampler(prior, 0.5).sample(root.get(), new long[][] {prime}, 1, 60, null,
                    (java.util.List<dev.segue.engine.prior.LabelRow>) null, new SamplingParams(temperature, 0, 0.0, 17),
                    new Monitor() {})[0];
        }
    }

    @Test
    void aPriorIsSampledAtTheAskedTemperatureTimesItsScale() throws Exception {
        assertEquals(1.0, config("").priors().get(2).temperatureScale(), "default: no calibration");
        assertEquals(0.9, config(", \"temperature_scale\": 0.9").priors().get(2).temperatureScale());
        long[] plain = sample("", 1.0);
        assertEquals(60, plain.length);
        assertArrayEquals(plain, sample(", \"temperature_scale\": 0.5", 2.0), "scale 0.5 at 2 is temperature 1");
        long[] cooler = sample(", \"temperature_scale\": 0.5", 1.0);
        assertFalse(Arrays.equals(plain, cooler), "scale 0.5 at 1 is temperature 0.5, another draw");
        assertArrayEquals(sample("", 0.5), cooler);
    }

    @Test
    void aScaleOutsideItsBoundsIsRefusedByName() {
        for (String bad : new String[] {"0", "-1", "0.1", "3"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> config(", \"temperature_scale\": " + bad));
            assertTrue(e.getMessage().contains("temperature_scale"), e.getMessage());
        }
    }
}
