package dev.segue.engine.sampling;

/** Work stopped at a check because its monitor asked to: between two tokens, or between two stages of a job. */
public class CancelledException extends RuntimeException {
    public CancelledException(int tokensDone) {
        super("cancelled after " + tokensDone + " tokens");
    }

    public CancelledException(String stage) {
        super("cancelled " + stage);
    }
}
