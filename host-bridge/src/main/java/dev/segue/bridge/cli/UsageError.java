package dev.segue.bridge.cli;

/** The user's arguments or input files cannot work; {@link BridgeCli} exits with 2 for it. */
final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
        super(message);
    }
}
