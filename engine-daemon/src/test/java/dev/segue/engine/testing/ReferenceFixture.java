package dev.segue.engine.testing;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.checkpoint.SafetensorsFile;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.nn.Djl;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A reference fixture of {@code shared/conformance/} for one test class: its model config and its reference cases,
 * and a CPU {@link NDManager}, opened before the class's first test and closed after its last. Register it as
 * {@code @RegisterExtension static final ReferenceFixture fixture = ReferenceFixture.jukebox();}, take
 * sub-managers from {@link #root()} and open the weight files a test needs with {@link #weights}.
 */
public final class ReferenceFixture implements BeforeAllCallback, AfterAllCallback {
    private final Path dir;
    private NDManager root;
    private ModelConfig config;
    private SafetensorsFile cases;

    private ReferenceFixture(String name) {
        dir = Path.of(System.getProperty("segue.shared", "../../shared")).resolve("conformance").resolve(name);
    }

    /** {@code conformance/jukebox-ref}: the VQ-VAE, the top prior and the upsamplers. */
    public static ReferenceFixture jukebox() {
        return new ReferenceFixture("jukebox-ref");
    }

    /** {@code conformance/jukebox-lyrics-ref}: the lyrics priors (single_enc_dec, sep_enc_dec). */
    public static ReferenceFixture lyrics() {
        return new ReferenceFixture("jukebox-lyrics-ref");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        root = Djl.cpuManager();
        config = ModelConfig.load(dir.resolve("config.json"));
        cases = SafetensorsFile.open(dir.resolve("cases.safetensors"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cases != null) {
            cases.close();
            cases = null;
        }
        if (root != null) {
            root.close();
            root = null;
        }
    }

    public NDManager root() {
        return open(root);
    }

    public ModelConfig config() {
        return open(config);
    }

    /** The reference's inputs and outputs ({@code cases.safetensors}). */
    public SafetensorsFile cases() {
        return open(cases);
    }

    /** The fixture's folder, for a test that reads or copies its files itself. */
    public Path dir() {
        return dir;
    }

    /** A weight file of the fixture, e.g. {@code prior_level_2.safetensors}; the caller closes it. */
    public SafetensorsFile weights(String file) {
        return SafetensorsFile.open(dir.resolve(file));
    }

    private static <T> T open(T value) {
        if (value == null) {
            throw new IllegalStateException("the reference fixture is open only while its test class runs");
        }
        return value;
    }
}
