package dev.segue.engine.cluster;

import io.nats.client.JetStreamApiException;
import io.nats.client.ObjectStore;
import io.nats.client.api.ObjectInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Takes (interleaved little-endian float32, as the lone daemon's take files), engine states and large primes
 * in the JetStream object store. Objects are written once and read by name; a job record names its takes'
 * objects only after they are stored, so a record never points at a missing object.
 */
final class TakeStore {
    /** The most bytes one object may hold: a 600 s stereo take at 192 kHz, or the largest engine state. */
    static final long MAX_OBJECT_BYTES = 600L * 192_000 * 2 * 4;

    private final ObjectStore store;

    TakeStore(ObjectStore store) {
        this.store = store;
    }

    void putAudio(String name, float[] interleaved) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(interleaved.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(interleaved);
        put(name, bytes.array());
    }

    float[] getAudio(String name) throws IOException {
        byte[] bytes = get(name).orElseThrow(() -> new IOException("the cluster's object store has no " + name));
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    void put(String name, byte[] bytes) throws IOException {
        try {
            store.put(name, bytes);
        } catch (JetStreamApiException | NoSuchAlgorithmException e) {
            throw new IOException("cannot store " + name + ": " + e.getMessage(), e);
        }
    }

    Optional<byte[]> get(String name) throws IOException {
        try {
            ObjectInfo info = store.getInfo(name);
            if (info == null || info.isDeleted()) {
                return Optional.empty();
            }
            if (info.getSize() > MAX_OBJECT_BYTES) {
                throw new IOException(name + ": " + info.getSize() + " bytes, over the " + MAX_OBJECT_BYTES + " allowed");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) info.getSize());
            store.get(name, out);
            return Optional.of(out.toByteArray());
        } catch (JetStreamApiException | NoSuchAlgorithmException e) {
            throw new IOException("cannot read " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + name, e);
        }
    }

    boolean exists(String name) throws IOException {
        try {
            ObjectInfo info = store.getInfo(name);
            return info != null && !info.isDeleted();
        } catch (JetStreamApiException e) {
            throw new IOException("cannot look up " + name + ": " + e.getMessage(), e);
        }
    }

    /** Removes what a losing attempt wrote; a failure here only leaves unreferenced bytes behind. */
    void deleteQuietly(String name) {
        try {
            store.delete(name);
        } catch (IOException | JetStreamApiException | RuntimeException ignored) {
            // unreferenced: no record names it
        }
    }
}
