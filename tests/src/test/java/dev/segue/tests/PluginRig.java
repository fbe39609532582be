package dev.segue.tests;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What every test of the plugin against a real daemon sets up: a work folder, `segue daemon` on a loopback
 * port (started by the test, killed when the rig closes), a stems folder, and the environment that points
 * the plugin at both. Close it in {@code @AfterEach} / {@code @AfterAll}.
 */
final class PluginRig implements AutoCloseable {
    final Path dir;
    final Path stems;
    final DaemonProcess daemon;

    private PluginRig(Path dir) {
        this.dir = dir;
        this.stems = dir.resolve("stems");
        this.daemon = new DaemonProcess(dir);
    }

    /** Starts the daemon (default prior) with its log in {@code dir/log}, plus any extra daemon options. */
    static PluginRig start(Path dir, String log, String... daemonOptions) throws Exception {
        PluginRig rig = unstarted(dir);
        rig.daemon.start(log, daemonOptions);
        return rig;
    }

    /** The rig with its daemon not started yet (a test of the plugin before there is a daemon): {@code daemon.start}. */
    static PluginRig unstarted(Path dir) {
        return new PluginRig(dir);
    }

    /** SEGUE_ENDPOINT and SEGUE_STEMS_DIR for the plugin's host, and any more pairs given. */
    Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>(Map.of("SEGUE_ENDPOINT", daemon.endpoint, "SEGUE_STEMS_DIR", stems.toString()));
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return Map.copyOf(env);
    }

    @Override
    public void close() throws InterruptedException {
        daemon.close();
    }
}
