package dev.segue.engine.testing;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.nn.Djl;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A CPU {@link NDManager} for one test class, opened before its first test and closed after its last, so
 * native memory is freed at a known point. Register it as
 * {@code @RegisterExtension static final CpuManager root = new CpuManager();} and take sub-managers from
 * {@link #get()} per test.
 */
public final class CpuManager implements BeforeAllCallback, AfterAllCallback {
    private NDManager manager;

    @Override
    public void beforeAll(ExtensionContext context) {
        manager = Djl.cpuManager();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }

    public NDManager get() {
        if (manager == null) {
            throw new IllegalStateException("the CPU manager is open only while its test class runs");
        }
        return manager;
    }
}
