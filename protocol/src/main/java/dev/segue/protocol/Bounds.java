package dev.segue.protocol;

/**
 * Every numeric bound of protocol version 1 (PROTOCOL.md, "Bounds"). Peers in other languages copy
 * these numbers; the golden vectors pin the edges.
 */
public final class Bounds {
    private Bounds() {}

    public static final int PROTOCOL_VERSION = 1;

    /**
     * Whole message, all frames. Sized so the longest prime (60 s, 192 kHz, stereo, 92,160,000 bytes)
     * fits with its header: the per-field bounds, not this one, are what a valid client meets.
     */
    public static final int MAX_MESSAGE_BYTES = 96 * 1024 * 1024;
    /** Frame 0. The largest valid header (a full presets list) is about 170 KB. */
    public static final int MAX_HEADER_BYTES = 256 * 1024;
    /** Entries in any map the protocol defines, unknown fields included. */
    public static final int MAX_MAP_ENTRIES = 64;
    /** Nesting of maps/arrays in the header, the header map itself counting as 1. */
    public static final int MAX_DEPTH = 8;
    /** Map keys, including result metadata keys (which are names). */
    public static final int MAX_KEY_BYTES = 128;

    public static final int MIN_SAMPLE_RATE = 8_000;
    public static final int MAX_SAMPLE_RATE = 192_000;
    public static final int MAX_CHANNELS = 2;
    /** Audio in one message (a prime, a preview chunk, a result chunk), in seconds at its rate. */
    public static final int MAX_AUDIO_SECONDS = 60;
    /** A whole continuation (one candidate of one job), in seconds at its rate. */
    public static final int MAX_CONTINUATION_SECONDS = 600;

    public static final int MAX_NAME_BYTES = 128;
    public static final int MAX_TEXT_BYTES = 1024;
    public static final int MAX_LYRICS_BYTES = 4096;
    public static final int MAX_JOB_ID_CHARS = 64;
    public static final int MAX_LIST_ENTRIES = 128;
    public static final int MAX_METADATA_ENTRIES = 32;

    public static final int MAX_CANDIDATES = 16;
    public static final int MAX_LEVELS = 8;
    public static final double MIN_TEMPO_BPM = 20;
    public static final double MAX_TEMPO_BPM = 400;
    public static final int MAX_TIME_SIG_NUM = 32;
    public static final double MAX_TEMPERATURE = 10;
    public static final int MAX_TOP_K = 2048;
    public static final double MAX_LENGTH_BARS = 256;
    public static final double MAX_LENGTH_SECONDS = 600;
    public static final int MAX_WANT_VERSION = 65_535;

    public static final long MAX_UINT32 = 0xFFFF_FFFFL;

    /** Frames allowed in one message's audio at {@code sampleRate}. */
    public static long maxAudioFrames(int sampleRate) {
        return (long) MAX_AUDIO_SECONDS * sampleRate;
    }

    /** Frames allowed in one whole continuation at {@code sampleRate}. */
    public static long maxContinuationFrames(int sampleRate) {
        return (long) MAX_CONTINUATION_SECONDS * sampleRate;
    }
}
