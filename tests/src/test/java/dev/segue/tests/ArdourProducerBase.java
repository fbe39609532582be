package dev.segue.tests;

import java.nio.file.Path;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One producer setting of {@link ProducerSession} per test class (each runs about 3 minutes on this machine, most
 * of it the daemon generating 16 s of audio on the CPU): the four classes cover 44.1 and 48 kHz, 120 bpm in 4/4
 * and 90 bpm in 3/4, each rate and each tempo/meter once per format (LV2, VST3), not the full cross product.
 */
abstract class ArdourProducerBase {
    @TempDir
    Path dir;
    @AutoClose
    private PluginRig rig;

    abstract ProducerSession.Setting setting();

    @Test
    void firedAtBar5TheTakePlaysInPlaceSampleAlignedAndAfterARelocate() throws Exception {
        rig = PluginRig.start(dir, "daemon.log");
        ProducerSession.run(rig, setting(), dir.resolve("session"));
    }
}
