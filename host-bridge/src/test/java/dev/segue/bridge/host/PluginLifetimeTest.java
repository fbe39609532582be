package dev.segue.bridge.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segue.protocol.wav.PcmAudio;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A loaded plugin binary must outlive garbage collection: JNA unloads a library whose NativeLibrary
 * object is collected, and the host then jumped into unmapped code at the next call (seen as a
 * SIGSEGV in activate() during the end-to-end test). A crash here takes the test JVM down.
 */
class PluginLifetimeTest {
    @Test
    void pluginSurvivesGarbageCollectionBetweenLoadAndRun() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/usr/lib/lv2/ZamDelay.lv2")),
                "zam-plugins are not installed (Debian: apt-get install zam-plugins); ./segue test installs them");
        try (PluginInstance plugin = PluginInstance.open(PluginCatalog.find("urn:zamaudio:ZamDelay"), 48000, 256)) {
            for (int i = 0; i < 5; i++) {
                byte[][] churn = new byte[64][];
                for (int k = 0; k < churn.length; k++) {
                    churn[k] = new byte[1 << 16];
                }
                System.gc();
                Thread.sleep(20); // JNA's cleaner thread runs after the collection
            }
            plugin.setControl("sync", 1);
            OfflineRenderer.Result r = OfflineRenderer.render(plugin, new PcmAudio(48000, 1, new float[4096]),
                    new Transport(48000, 120, 4, 4), null);
            assertEquals(500f, r.outputs().get("delaytime"), 1e-3f);
        }
    }
}
