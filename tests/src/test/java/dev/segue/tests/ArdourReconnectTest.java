package dev.segue.tests;

import static dev.segue.tests.ArdourRenderTest.BAR_FRAMES;
import static dev.segue.tests.ArdourRenderTest.BPM;
import static dev.segue.tests.ArdourRenderTest.RATE;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One plugin instance in one Ardour process playing in real time (LV2 build), watched through its `state`
 * output: connected with the daemon up, offline once the daemon is killed with -9, and connected again after
 * the daemon restarts on the same endpoint, without the host doing anything.
 */
class ArdourReconnectTest {
    /** The contract's state output: 0 offline, 1 idle, 2 capturing (rolling), 3 sending, 4 generating, 5 ready. */
    private static final DoublePredicate OFFLINE = v -> v == 0, CONNECTED = v -> v >= 1 && v <= 5;

    @TempDir
    Path dir;
    @AutoClose
    private PluginRig rig;

    @Test
    void samePluginInstanceGoesOfflineWhenTheDaemonDiesAndReconnectsWhenItReturns() throws Exception {
        rig = PluginRig.start(dir, "daemon-1.log");
        DaemonProcess daemon = rig.daemon;
        Path clip = ArdourHost.clip(dir, RATE, 30, 8 * BAR_FRAMES / (double) RATE);
        try (ArdourHost.Watch watch = new ArdourHost.Watch(dir.resolve("work"), "lv2", clip, BPM,
                rig.env(),
                List.of("auto_fire_bar=0"), "state")) {
            // ASSERTED: with the daemon up the plugin reports a connected state.
            assertTrue(watch.awaitValue(CONNECTED, 60), "the plugin never connected:\n" + watch.seen());
            daemon.kill();
            // ASSERTED: the daemon killed with -9, the plugin reports offline within 15 s.
            assertTrue(watch.awaitValue(OFFLINE, 15), "the plugin did not go offline:\n" + watch.seen());
            daemon.start("daemon-2.log");
            // ASSERTED: the daemon back on the same endpoint, the same instance is connected again within 30 s.
            assertTrue(watch.awaitValue(CONNECTED, 30), "the plugin did not reconnect:\n" + watch.seen());
        }
    }
}
