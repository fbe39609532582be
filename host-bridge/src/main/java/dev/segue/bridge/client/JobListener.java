package dev.segue.bridge.client;

import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Progress;

/**
 * What {@link DaemonClient#awaitJob} reports while a job runs. Called on the thread that awaits,
 * between socket reads, so a slow listener only delays reading, never loses a message.
 */
public interface JobListener {
    JobListener NONE = new JobListener() {};

    default void onProgress(Progress progress) {}

    /** A rough early chunk of one candidate; results replace all previews. */
    default void onPreview(Preview preview) {}
}
