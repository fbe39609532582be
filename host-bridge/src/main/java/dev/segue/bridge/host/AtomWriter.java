package dev.segue.bridge.host;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes the atom buffers the host owns, in the layout of LV2's atom.h (all native-endian):
 *
 * <pre>
 * LV2_Atom_Sequence   { u32 size; u32 type=atom:Sequence; u32 unit=0 (frames); u32 pad; events... }
 * LV2_Atom_Event      { i64 frames; LV2_Atom body; payload; padded to 8 }
 * LV2_Atom_Object     { u32 size; u32 type=atom:Object; u32 id=0; u32 otype=time:Position; props... }
 * LV2_Atom_Property   { u32 key; u32 context=0; u32 size; u32 type; value; padded to 8 }
 * </pre>
 *
 * Sizes count the body only (not the 8-byte header) and include the padding between children, as
 * {@code lv2_atom_forge} writes them.
 */
final class AtomWriter {
    /** Sequence header (8) + body header (8): an empty sequence. */
    static final int EMPTY_SEQUENCE_BYTES = 16;
    private static final int POSITION_PROPERTIES = 8;
    private static final int PROPERTY_BYTES = 24; // 16 of header + a value of 4 or 8, padded to 8
    private static final int OBJECT_BODY_BYTES = 8 + POSITION_PROPERTIES * PROPERTY_BYTES;
    private static final int EVENT_BYTES = 8 + 8 + OBJECT_BODY_BYTES;
    /** A sequence holding one time:Position event. */
    static final int POSITION_SEQUENCE_BYTES = EMPTY_SEQUENCE_BYTES + EVENT_BYTES;

    private final int sequence, chunk, object, atomLong, atomInt, atomFloat, atomDouble;
    private final int position, frame, speed, bar, barBeat, beat, beatUnit, beatsPerBar, beatsPerMinute;

    AtomWriter(UridMap urids) {
        sequence = urids.map(Lv2Uris.ATOM_SEQUENCE);
        chunk = urids.map(Lv2Uris.ATOM_CHUNK);
        object = urids.map(Lv2Uris.ATOM_OBJECT);
        atomLong = urids.map(Lv2Uris.ATOM_LONG);
        atomInt = urids.map(Lv2Uris.ATOM_INT);
        atomFloat = urids.map(Lv2Uris.ATOM_FLOAT);
        atomDouble = urids.map(Lv2Uris.ATOM_DOUBLE);
        position = urids.map(Lv2Uris.TIME_POSITION);
        frame = urids.map(Lv2Uris.TIME_FRAME);
        speed = urids.map(Lv2Uris.TIME_SPEED);
        bar = urids.map(Lv2Uris.TIME_BAR);
        barBeat = urids.map(Lv2Uris.TIME_BAR_BEAT);
        beat = urids.map(Lv2Uris.TIME_BEAT);
        beatUnit = urids.map(Lv2Uris.TIME_BEAT_UNIT);
        beatsPerBar = urids.map(Lv2Uris.TIME_BEATS_PER_BAR);
        beatsPerMinute = urids.map(Lv2Uris.TIME_BEATS_PER_MINUTE);
    }

    /** A view of a native atom buffer for repeated writes without allocating per block. */
    static ByteBuffer view(Pointer buffer, int bytes) {
        return buffer.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
    }

    /** An input sequence with no events. */
    void emptySequence(ByteBuffer b) {
        b.putInt(0, 8).putInt(4, sequence).putInt(8, 0).putInt(12, 0);
    }

    /** An output buffer before run: the whole capacity offered to the plugin as a chunk. */
    void outputCapacity(ByteBuffer b) {
        b.putInt(0, b.capacity() - 8).putInt(4, chunk);
    }

    /** An input sequence with one time:Position object at frame 0 of the block. */
    void positionSequence(ByteBuffer b, Transport.Position p) {
        if (b.capacity() < POSITION_SEQUENCE_BYTES) {
            throw new IllegalStateException("atom buffer of " + b.capacity() + " bytes is too small for a position");
        }
        b.putInt(0, 8 + EVENT_BYTES).putInt(4, sequence).putInt(8, 0).putInt(12, 0);
        b.putLong(16, 0L); // event time: the first frame of the block
        b.putInt(24, OBJECT_BODY_BYTES).putInt(28, object).putInt(32, 0).putInt(36, position);
        int o = 40;
        o = putLong(b, o, frame, p.frame());
        o = putFloat(b, o, speed, p.playing() ? 1f : 0f);
        o = putLong(b, o, bar, p.bar());
        o = putFloat(b, o, barBeat, (float) p.barBeat());
        o = putDouble(b, o, beat, p.beat());
        o = putInt(b, o, beatUnit, p.beatUnit());
        o = putFloat(b, o, beatsPerBar, p.beatsPerBar());
        o = putFloat(b, o, beatsPerMinute, (float) p.beatsPerMinute());
        assert o == POSITION_SEQUENCE_BYTES;
    }

    private int header(ByteBuffer b, int o, int key, int size, int type) {
        b.putInt(o, key).putInt(o + 4, 0).putInt(o + 8, size).putInt(o + 12, type);
        return o + 16;
    }

    private int putLong(ByteBuffer b, int o, int key, long v) {
        b.putLong(header(b, o, key, 8, atomLong), v);
        return o + PROPERTY_BYTES;
    }

    private int putDouble(ByteBuffer b, int o, int key, double v) {
        b.putDouble(header(b, o, key, 8, atomDouble), v);
        return o + PROPERTY_BYTES;
    }

    private int putInt(ByteBuffer b, int o, int key, int v) {
        int at = header(b, o, key, 4, atomInt);
        b.putInt(at, v).putInt(at + 4, 0); // zero padding, so the buffer holds no stale bytes
        return o + PROPERTY_BYTES;
    }

    private int putFloat(ByteBuffer b, int o, int key, float v) {
        int at = header(b, o, key, 4, atomFloat);
        b.putFloat(at, v).putInt(at + 4, 0);
        return o + PROPERTY_BYTES;
    }
}
