package dev.segue.engine.cluster;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.ObjectStore;
import io.nats.client.Options;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.ObjectStoreConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;

/**
 * One connection to NATS and the cluster's JetStream pieces, created if absent (by whichever process comes
 * first; the same settings from every process, so a second create is a no-op). File storage throughout: a
 * restarted nats-server still has every queued job, record and take.
 */
final class ClusterLink implements AutoCloseable {
    /** Largest job message: bigger primes go to the object store and the message names them. */
    static final int INLINE_BYTES = 512 * 1024;
    /** How long a worker's announcement lives without renewal. */
    static final Duration WORKER_TTL = Duration.ofSeconds(6);

    final Connection nc;
    final JetStream js;
    final JetStreamManagement jsm;
    final KeyValue jobs;
    final KeyValue workers;
    final KeyValue pending;
    final ObjectStore takes;

    private ClusterLink(Connection nc) throws IOException, JetStreamApiException {
        this.nc = nc;
        this.jsm = nc.jetStreamManagement();
        ensureInfrastructure(nc, jsm);
        this.js = nc.jetStream();
        this.jobs = nc.keyValue(Names.JOBS_BUCKET);
        this.workers = nc.keyValue(Names.WORKERS_BUCKET);
        this.pending = nc.keyValue(Names.PENDING_BUCKET);
        this.takes = nc.objectStore(Names.TAKES_BUCKET);
    }

    /** Connects (retrying for {@code connectSeconds}) and keeps reconnecting for as long as the process lives. */
    static ClusterLink connect(String url, String name, int connectSeconds)
            throws IOException, InterruptedException, JetStreamApiException {
        Options options = Options.builder().server(url).connectionName(name).maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(250)).connectionTimeout(Duration.ofSeconds(2))
                .pingInterval(Duration.ofSeconds(2)).errorListener(new QuietErrors()).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(connectSeconds).toNanos();
        while (true) {
            try {
                return new ClusterLink(Nats.connect(options));
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("cannot reach NATS at " + url + ": " + e.getMessage(), e);
                }
                Thread.sleep(500);
            }
        }
    }

    private static void ensureInfrastructure(Connection nc, JetStreamManagement jsm)
            throws IOException, JetStreamApiException {
        if (!jsm.getStreamNames().contains(Names.STREAM)) {
            try {
                jsm.addStream(StreamConfiguration.builder().name(Names.STREAM).subjects(Names.ALL_JOBS)
                        .retentionPolicy(RetentionPolicy.WorkQueue).storageType(StorageType.File)
                        .maxMsgSize(INLINE_BYTES + 64 * 1024).duplicateWindow(Duration.ofMinutes(2)).build());
            } catch (JetStreamApiException e) {
                if (!jsm.getStreamNames().contains(Names.STREAM)) {
                    throw e; // not a race with another process creating it
                }
            }
        }
        var kvm = nc.keyValueManagement();
        var buckets = kvm.getBucketNames();
        if (!buckets.contains(Names.JOBS_BUCKET)) {
            createQuietly(() -> kvm.create(KeyValueConfiguration.builder().name(Names.JOBS_BUCKET)
                    .storageType(StorageType.File).maxHistoryPerKey(1).build()));
        }
        if (!buckets.contains(Names.WORKERS_BUCKET)) {
            createQuietly(() -> kvm.create(KeyValueConfiguration.builder().name(Names.WORKERS_BUCKET)
                    .storageType(StorageType.File).maxHistoryPerKey(1).ttl(WORKER_TTL).build()));
        }
        if (!buckets.contains(Names.PENDING_BUCKET)) {
            createQuietly(() -> kvm.create(KeyValueConfiguration.builder().name(Names.PENDING_BUCKET)
                    .storageType(StorageType.File).maxHistoryPerKey(1).maxValueSize(INLINE_BYTES + 64 * 1024).build()));
        }
        var osm = nc.objectStoreManagement();
        if (!osm.getBucketNames().contains(Names.TAKES_BUCKET)) {
            createQuietly(() -> osm.create(ObjectStoreConfiguration.builder(Names.TAKES_BUCKET)
                    .storageType(StorageType.File).build()));
        }
    }

    private interface Create {
        void run() throws IOException, JetStreamApiException;
    }

    /** Another process may create the same bucket at the same moment; the same settings make that harmless. */
    private static void createQuietly(Create create) throws IOException {
        try {
            create.run();
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != 10058) { // stream name already in use
                throw new IOException("cannot create a JetStream bucket: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        nc.close();
    }

    /** jnats' errors as one log line each (its default prints to stderr with no logger). */
    private static final class QuietErrors implements io.nats.client.ErrorListener {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterLink.class);

        @Override
        public void errorOccurred(Connection conn, String error) {
            LOG.warn("NATS: {}", error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            LOG.warn("NATS: {}", String.valueOf(exp.getMessage()));
        }

        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            LOG.warn("NATS: a subscription falls behind; messages to it are being dropped");
        }
    }
}
