package dev.segue.engine.sampling;

/** Sampling stopped between two tokens because its monitor asked to. */
public class CancelledException extends RuntimeException {
    public CancelledException(int tokensDone) {
        super("cancelled after " + tokensDone + " tokens");
    }
}
