package dev.segue.engine.conformance;

/** One conformance check's outcome: what was compared, how far off it was, and the bound it had to meet. */
public record Verdict(String name, boolean passed, String measure) {
    public String line() {
        return (passed ? "PASS " : "FAIL ") + name + "  " + measure;
    }
}
