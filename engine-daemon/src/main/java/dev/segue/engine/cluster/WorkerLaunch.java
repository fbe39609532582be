package dev.segue.engine.cluster;

import dev.segue.engine.server.ContinuationEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code segue daemon --nats URL}: the loaded priors served as one worker until the process is stopped. */
public final class WorkerLaunch {
    private WorkerLaunch() {}

    /** Returns the exit code; SIGTERM hands a job in flight back to the queue before the process ends. */
    public static int run(String url, String name, List<ContinuationEngine> engines, int ackWaitSeconds,
                          int maxDeliver) throws InterruptedException {
        Worker worker;
        try {
            worker = Worker.connect(url, name, engines, Duration.ofSeconds(ackWaitSeconds), maxDeliver);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("daemon: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                worker.close();
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "segue-shutdown"));
        try {
            worker.serve();
        } catch (IOException e) {
            System.err.println("daemon: " + e.getMessage());
            return 1;
        } finally {
            worker.disconnect();
            stopped.countDown();
        }
        return 0;
    }

    /** The default worker name: host and process id, unique on a machine and readable in the workers bucket. */
    public static String defaultName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_-]", "-");
        } catch (IOException e) {
            host = "worker";
        }
        String name = host + "-" + ProcessHandle.current().pid();
        return name.length() > 64 ? name.substring(name.length() - 64) : name;
    }
}
