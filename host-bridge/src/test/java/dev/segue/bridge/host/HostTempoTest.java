package dev.segue.bridge.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segue.protocol.wav.PcmAudio;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The time:Position atoms reach a third-party plugin intact: ZamDelay synced to the host
 * (sync=1) sets its delay to a note value at the host's tempo and reports it on its delaytime output
 * (milliseconds). div 1 is a whole note (4 beats), each step halves it. A wrong atom layout, a wrong
 * URID or a position on the wrong port leaves the plugin at its default 120 bpm or its unsynced
 * time.
 */
class HostTempoTest {
    @ParameterizedTest(name = "{0} bpm, div {1}")
    @CsvSource({"90, 1", "90, 3", "137.5, 3", "150, 5", "60, 2"})
    void zamDelayFollowsTheHostTempo(double bpm, int div) throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/usr/lib/lv2/ZamDelay.lv2")),
                "zam-plugins are not installed (Debian: apt-get install zam-plugins); ./segue test installs them");
        PluginInfo info = PluginCatalog.find("/usr/lib/lv2/ZamDelay.lv2");
        assertTrue(info.ports().stream().anyMatch(PortInfo::supportsTimePosition), "lilv should see atom:supports time:Position");
        PcmAudio silence = new PcmAudio(48000, 1, new float[48000 / 2]);
        try (PluginInstance plugin = PluginInstance.open(info, 48000, 512)) {
            plugin.setControl("sync", 1);
            plugin.setControl("div", div);
            OfflineRenderer.Result r = OfflineRenderer.render(plugin, silence, new Transport(48000, bpm, 4, 4), null);
            double expectedMs = 60_000.0 / bpm * 4 / (1 << (div - 1));
            assertEquals(expectedMs, r.outputs().get("delaytime"), expectedMs * 1e-5, "delaytime (ms)");
        }
    }
}
