package dev.segue.bridge.host;

/** The LV2 URIs the host speaks (values from the LV2 1.18 headers). */
final class Lv2Uris {
    private Lv2Uris() {}

    static final String CORE = "http://lv2plug.in/ns/lv2core#";
    static final String AUDIO_PORT = CORE + "AudioPort";
    static final String CONTROL_PORT = CORE + "ControlPort";
    static final String CV_PORT = CORE + "CVPort";
    static final String INPUT_PORT = CORE + "InputPort";
    static final String OUTPUT_PORT = CORE + "OutputPort";
    static final String CONNECTION_OPTIONAL = CORE + "connectionOptional";
    static final String DESIGNATION = CORE + "designation";
    static final String FREE_WHEELING = CORE + "freeWheeling";

    static final String ATOM = "http://lv2plug.in/ns/ext/atom#";
    static final String ATOM_PORT = ATOM + "AtomPort";
    static final String ATOM_SEQUENCE = ATOM + "Sequence";
    static final String ATOM_CHUNK = ATOM + "Chunk";
    static final String ATOM_OBJECT = ATOM + "Object";
    static final String ATOM_LONG = ATOM + "Long";
    static final String ATOM_INT = ATOM + "Int";
    static final String ATOM_FLOAT = ATOM + "Float";
    static final String ATOM_DOUBLE = ATOM + "Double";

    static final String TIME = "http://lv2plug.in/ns/ext/time#";
    static final String TIME_POSITION = TIME + "Position";
    static final String TIME_FRAME = TIME + "frame";
    static final String TIME_SPEED = TIME + "speed";
    static final String TIME_BAR = TIME + "bar";
    static final String TIME_BAR_BEAT = TIME + "barBeat";
    static final String TIME_BEAT = TIME + "beat";
    static final String TIME_BEAT_UNIT = TIME + "beatUnit";
    static final String TIME_BEATS_PER_BAR = TIME + "beatsPerBar";
    static final String TIME_BEATS_PER_MINUTE = TIME + "beatsPerMinute";

    static final String URID_MAP = "http://lv2plug.in/ns/ext/urid#map";
    static final String URID_UNMAP = "http://lv2plug.in/ns/ext/urid#unmap";
    static final String WORKER_SCHEDULE = "http://lv2plug.in/ns/ext/worker#schedule";
    static final String WORKER_INTERFACE = "http://lv2plug.in/ns/ext/worker#interface";
    static final String OPTIONS = "http://lv2plug.in/ns/ext/options#options";
    static final String BUF_SIZE = "http://lv2plug.in/ns/ext/buf-size#";
    static final String BOUNDED_BLOCK_LENGTH = BUF_SIZE + "boundedBlockLength";
    static final String FIXED_BLOCK_LENGTH = BUF_SIZE + "fixedBlockLength";
    static final String POWER_OF_2_BLOCK_LENGTH = BUF_SIZE + "powerOf2BlockLength";
    static final String MIN_BLOCK_LENGTH = BUF_SIZE + "minBlockLength";
    static final String MAX_BLOCK_LENGTH = BUF_SIZE + "maxBlockLength";
    static final String NOMINAL_BLOCK_LENGTH = BUF_SIZE + "nominalBlockLength";
    static final String SEQUENCE_SIZE = BUF_SIZE + "sequenceSize";
    static final String PARAM_SAMPLE_RATE = "http://lv2plug.in/ns/ext/parameters#sampleRate";
    static final String RSZ_MINIMUM_SIZE = "http://lv2plug.in/ns/ext/resize-port#minimumSize";
    /** Not a feature with data: a plugin may list it as required; it only asks for real-time safety. */
    static final String HARD_RT_CAPABLE = CORE + "hardRTCapable";
    static final String IN_PLACE_BROKEN = CORE + "inPlaceBroken";
}
