package dev.segue.engine.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

/** DJL start-up in the only mode Segue allows: offline, with the native library from the Maven jar. */
public final class Djl {
    private Djl() {}

    /** Must run before the first DJL call: nothing may be downloaded at run time. */
    public static void configureOffline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    public static NDManager cpuManager() {
        configureOffline();
        return NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }
}
