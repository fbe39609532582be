package dev.segue.bridge.cli;

import dev.segue.bridge.app.CompanionApp;
import dev.segue.bridge.app.watch.DaemonClients;
import dev.segue.bridge.client.DaemonClient;
import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "app", mixinStandardHelpOptions = true,
        description = {"The companion window: the daemon's jobs and takes, live; waveforms and spectrograms with the"
                + " seam marked; audition (play, loop, A/B); drag a take out as a WAV onto a DAW track.",
            "Keeps fetched takes under --cache; it keeps running while the daemon is offline and reconnects by itself."})
final class AppCommand implements Callable<Integer> {
    /** The job list's requests: short, so an absent daemon shows as offline within seconds. */
    static final Duration POLL_REPLY_TIMEOUT = Duration.ofSeconds(2);

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "where fetched takes are kept and dragged from (default: $XDG_CACHE_HOME/segue/app, else ~/.cache/segue/app)")
    Path cache;

    @Option(names = "--no-audio", description = "audition silently (no sound card is opened)")
    boolean noAudio;

    @Override
    public Integer call() throws Exception {
        if (GraphicsEnvironment.isHeadless()) {
            throw new UsageError("no display: the app needs a desktop session (DISPLAY is "
                    + System.getenv("DISPLAY") + "); the other commands work without one");
        }
        connection.connect().close(); // checks the endpoint and the CurveZMQ options before the window opens
        DaemonClients clients = new DaemonClients() {
            @Override
            public DaemonClient forPolling() {
                Duration d = connection.replyTimeout();
                return connection.connect(d.compareTo(POLL_REPLY_TIMEOUT) < 0 ? d : POLL_REPLY_TIMEOUT);
            }

            @Override
            public DaemonClient forTransfers() {
                return connection.connect();
            }

            @Override
            public String endpoint() {
                return connection.endpoint;
            }
        };
        CompanionApp app = CompanionApp.open(new CompanionApp.Config(clients, cacheDir(),
                noAudio ? CompanionApp.Audio.NONE : CompanionApp.Audio.SYSTEM));
        app.awaitClosed(Long.MAX_VALUE, TimeUnit.DAYS);
        return BridgeCli.EXIT_OK;
    }

    private Path cacheDir() {
        if (cache != null) {
            return cache;
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("segue").resolve("app");
    }
}
