package dev.segue.bridge.app.watch;

import dev.segue.bridge.client.DaemonClient;

/** Makes the app's daemon clients (one per thread: a client is single-threaded). */
public interface DaemonClients {
    /** For the job list: a short reply timeout, so an absent daemon shows as offline within seconds. */
    DaemonClient forPolling();

    /** For fetching takes and following running jobs. */
    DaemonClient forTransfers();

    /** The endpoint, for status lines. */
    String endpoint();
}
