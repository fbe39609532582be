package dev.segue.engine.vqvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.VqVaeConfig;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Encoding and decoding in chunks (so a cancel is seen between them) gives what encoding and decoding in one piece
 * gives: the chunks' halos cover the convolutions' reach. Checked on the shipped default VQ-VAE's layout, every level,
 * with chunk sizes that do and do not divide the audio, and a chunk smaller than the halo.
 */
class VqVaeChunkingTest {
    private static final Path DEFAULT = Path.of(System.getProperty("segue.home", "..")).resolve("presets/default");
    private static NDManager root;
    private static VqVaeConfig config;

    @BeforeAll
    static void setUp() {
        root = Djl.cpuManager();
        config = ModelConfig.load(DEFAULT.resolve("config.json")).vqvae();
    }

    @AfterAll
    static void tearDown() {
        root.close();
    }

    private static float[] music(int samples, long seed) {
        Random r = new Random(seed);
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) {
            x[i] = (float) (0.4 * Math.sin(2 * Math.PI * 220 * i / 16000.0) * Math.sin(Math.PI * i / 9000.0)
                    + 0.05 * r.nextGaussian());
        }
        return x;
    }

    @ParameterizedTest(name = "level {0}")
    @ValueSource(ints = {0, 1, 2})
    void chunkedEqualsWholeOnEveryLevel(int level) {
        try (NDManager m = root.newSubManager(); VqVae vq = new VqVae(config, new RandomWeights(7 + level, 0.2), m)) {
            check(m, vq, level);
        }
    }

    @Test
    void chunkedEqualsWholeWithTheShippedWeights() {
        try (NDManager m = root.newSubManager(); WeightStore w = Checkpoints.open(DEFAULT.resolve("vqvae.safetensors"));
             VqVae vq = new VqVae(config, w, m)) {
            check(m, vq, 2);
        }
    }

    private static void check(NDManager m, VqVae vq, int level) {
        int hop = config.hopLength(level);
        int samples = hop * (level == 0 ? 3001 : level == 1 ? 751 : 187); // not a multiple of any chunk below
        float[] audio = music(samples, level);
        long[] whole;
        float[] decoded;
        try (NDManager s = m.newSubManager()) {
            whole = vq.encode(s.create(audio, new Shape(1, samples)), level).toLongArray();
            decoded = vq.decode(s.create(whole, new Shape(1, whole.length)), level).toFloatArray();
        }
        float scale = 0;
        for (float v : decoded) {
            scale = Math.max(scale, Math.abs(v));
        }
        // A chunk shorter than the halo, chunks that do not divide the audio, and the whole in one chunk.
        for (int chunk : new int[] {Math.max(hop, vq.reachSamples(level) / 4), 4096, samples}) {
            AtomicInteger checks = new AtomicInteger();
            long[] codes = vq.encodeChunked(m, audio, level, chunk, checks::incrementAndGet);
            assertSameUpToTies(m, vq, audio, level, whole, codes, "level " + level + ", chunks of " + chunk + " samples");
            int pieces = (whole.length + Math.max(1, chunk / hop) - 1) / Math.max(1, chunk / hop);
            assertEquals(pieces * (1 + residualBlocks(level)), checks.get(),
                    "one check before each chunk and before each residual block in it");
            float[] audioBack = vq.decodeChunked(m, whole, level, chunk, () -> { });
            assertEquals(decoded.length, audioBack.length);
            float worst = 0;
            for (int i = 0; i < decoded.length; i++) {
                worst = Math.max(worst, Math.abs(decoded[i] - audioBack[i]));
            }
            assertTrue(worst <= 1e-5f * Math.max(1f, scale), "level " + level + ", chunks of " + chunk
                    + ": decoded audio differs by " + worst + " (peak " + scale + ")");
        }
    }

    /**
     * 8 s of audio through the shipped weights at several chunk sizes, each giving the whole's codes and audio; the time
     * each chunk took is printed (the figure behind the pipeline's chunk size), not checked.
     */
    @Test
    void timings() {
        try (NDManager m = root.newSubManager(); WeightStore w = Checkpoints.open(DEFAULT.resolve("vqvae.safetensors"));
             VqVae vq = new VqVae(config, w, m)) {
            float[] audio = music(128 * 1000, 5);
            long[] whole = vq.encodeChunked(m, audio, 2, audio.length, () -> { });
            float[] wholeAudio = vq.decodeChunked(m, whole, 2, audio.length, () -> { });
            for (int chunk : new int[] {4096, 8192, 16384, audio.length}) {
                long t0 = System.nanoTime();
                long[] codes = vq.encodeChunked(m, audio, 2, chunk, () -> { });
                long t1 = System.nanoTime();
                float[] decoded = vq.decodeChunked(m, whole, 2, chunk, () -> { });
                long t2 = System.nanoTime();
                assertSameUpToTies(m, vq, audio, 2, whole, codes, "chunks of " + chunk);
                for (int i = 0; i < decoded.length; i++) {
                    assertTrue(Math.abs(decoded[i] - wholeAudio[i]) <= 1e-5f, "chunks of " + chunk + ", sample " + i);
                }
                int n = (audio.length + chunk - 1) / chunk;
                System.out.printf("chunk %d samples: encode 8 s %.1f ms (%.2f ms/chunk), decode %.1f ms (%.2f ms/chunk)%n",
                        chunk, (t1 - t0) / 1e6, (t1 - t0) / 1e6 / n, (t2 - t1) / 1e6, (t2 - t1) / 1e6 / n);
            }
        }
    }

    /**
     * The chunked codes equal the whole's, except where the whole's latent lies as near (within float rounding) to
     * the chunked code's codebook row as to its own. Pieces of another length round differently in libtorch's
     * convolutions, which can flip a near-tie (seen on an AVX-512 machine: one code of 1000, at squared distances
     * 1257.26364 and 1257.26360). A piece missing part of its context moves latents by far more than rounding (a
     * halo cut to an eighth fails all five tests here that compare codes).
     */
    private static void assertSameUpToTies(NDManager m, VqVae vq, float[] audio, int level, long[] whole, long[] codes,
                                           String what) {
        assertEquals(whole.length, codes.length, what);
        try (NDManager s = m.newSubManager()) {
            float[] z = vq.latents(s.create(audio, new Shape(1, audio.length)), level).toFloatArray();
            float[] own = vq.embed(s.create(whole, new Shape(1, whole.length)), level).toFloatArray();
            float[] other = vq.embed(s.create(codes, new Shape(1, codes.length)), level).toFloatArray();
            int t = whole.length;
            int width = z.length / t;
            int flipped = 0;
            for (int i = 0; i < t; i++) {
                if (whole[i] == codes[i]) {
                    continue;
                }
                flipped++;
                double dOwn = 0;
                double dOther = 0;
                double norm = 0;
                for (int e = 0; e < width; e++) {
                    double zi = z[e * t + i];
                    dOwn += (zi - own[e * t + i]) * (zi - own[e * t + i]);
                    dOther += (zi - other[e * t + i]) * (zi - other[e * t + i]);
                    norm += zi * zi;
                }
                System.out.printf("%s: code %d flipped %d -> %d at squared distances %.9g / %.9g (|z|^2 %.4g)%n", what, i,
                        whole[i], codes[i], dOwn, dOther, norm);
                assertTrue(Math.abs(dOther - dOwn) <= 1e-6 * Math.max(1.0, norm), what + ": code " + i + " is "
                        + codes[i] + " instead of " + whole[i] + ", at squared distances " + dOther + " and " + dOwn
                        + ", not a near-tie");
            }
            assertTrue(flipped <= Math.max(1, t / 100), what + ": " + flipped + " of " + t + " codes differ");
        }
    }

    /** Residual blocks in one level's encoder (and, mirrored, its decoder): one cancel check before each. */
    private static int residualBlocks(int level) {
        int blocks = 0;
        for (int i = 0; i <= level; i++) {
            blocks += config.downsT()[i] * config.depth() * config.multipliers()[level];
        }
        return blocks;
    }

    @Test
    void aCheckThatThrowsStopsInsideTheFirstPiece() {
        try (NDManager m = root.newSubManager(); VqVae vq = new VqVae(config, new RandomWeights(3, 0.2), m)) {
            float[] audio = music(128 * 64, 1);
            AtomicInteger calls = new AtomicInteger();
            RuntimeException stop = new RuntimeException("cancelled");
            // One piece for the whole audio: the only checks after the first are the ones inside its forward pass.
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> vq.encodeChunked(m, audio, 2,
                    audio.length, () -> {
                        if (calls.incrementAndGet() == 3) {
                            throw stop;
                        }
                    }));
            assertTrue(thrown == stop);
            assertEquals(3, calls.get(), "stopped at the second residual block of the only piece");
            calls.set(0);
            assertThrows(RuntimeException.class, () -> vq.decodeChunked(m, new long[64], 2, audio.length, () -> {
                if (calls.incrementAndGet() == 2) {
                    throw stop;
                }
            }));
            assertEquals(2, calls.get(), "decoding stopped at the first residual block of the only piece");
        }
    }

    /**
     * Encoding and decoding close each intermediate as the next layer has read it: at the published sizes one
     * activation is tens of MB, and keeping every one until the caller's scope closes doubled the 5b encoder's time.
     * Only the input and the result stay attached to the caller's scope.
     */
    @Test
    void intermediatesAreFreedAsTheyGo() {
        try (NDManager m = root.newSubManager(); VqVae vq = new VqVae(config, new RandomWeights(3, 0.2), m)) {
            float[] audio = music(128 * 64, 1);
            for (int level = 0; level < config.levels(); level++) {
                try (NDManager scope = m.newSubManager()) {
                    var codes = vq.encode(scope.create(audio, new Shape(1, audio.length)), level);
                    assertEquals(2, scope.getManagedArrays().size(), "level " + level + " encode: audio and codes");
                    vq.decode(codes, level);
                    assertEquals(3, scope.getManagedArrays().size(), "level " + level + " decode: and the audio");
                }
            }
        }
    }

    @Test
    void aPieceCoversSeveralReaches() {
        try (NDManager m = root.newSubManager(); VqVae vq = new VqVae(config, new RandomWeights(3, 0.2), m)) {
            for (int level = 0; level < config.levels(); level++) {
                int reach = vq.reachSamples(level);
                assertEquals(Math.max(8192, VqVae.CHUNK_REACHES * reach), vq.chunkSamples(level, 8192));
                assertEquals(1 << 20, vq.chunkSamples(level, 1 << 20), "a larger minimum wins");
            }
        }
    }
}
