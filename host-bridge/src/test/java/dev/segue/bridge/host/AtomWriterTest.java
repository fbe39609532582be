package dev.segue.bridge.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Walks the written buffer the way lv2/atom/util.h does and checks every size, type and value. */
class AtomWriterTest {
    @Test
    void positionSequenceIsAWellFormedAtomSequence() {
        UridMap urids = new UridMap();
        AtomWriter w = new AtomWriter(urids);
        Memory mem = new Memory(1024);
        mem.clear();
        ByteBuffer b = AtomWriter.view(mem, 1024);
        Transport t = new Transport(48000, 120, 4, 4);
        Transport.Position p = t.at(t.frameOfBar(8) + 24000, true); // bar 9 as a DAW shows it, beat 2
        w.positionSequence(b, p);

        int seqSize = b.getInt(0);
        assertEquals(urids.map(Lv2Uris.ATOM_SEQUENCE), b.getInt(4));
        assertEquals(0, b.getInt(8), "unit 0: time stamps in frames");
        // One event: starts after the 16-byte sequence header, ends at 8 + seqSize
        int ev = 16;
        assertEquals(0L, b.getLong(ev), "event at the block's first frame");
        int objSize = b.getInt(ev + 8);
        assertEquals(urids.map(Lv2Uris.ATOM_OBJECT), b.getInt(ev + 12));
        assertEquals(8 + seqSize, pad8(ev + 16 + objSize), "the sequence ends where its only event ends");
        assertEquals(urids.map(Lv2Uris.TIME_POSITION), b.getInt(ev + 20), "otype");

        Map<String, Number> values = new HashMap<>();
        int end = ev + 16 + objSize;
        for (int prop = ev + 24; prop < end; ) {
            String key = urids.unmap(b.getInt(prop));
            int size = b.getInt(prop + 8);
            String type = urids.unmap(b.getInt(prop + 12));
            int body = prop + 16;
            Number v = switch (type) {
                case Lv2Uris.ATOM_LONG -> { assertEquals(8, size); yield b.getLong(body); }
                case Lv2Uris.ATOM_DOUBLE -> { assertEquals(8, size); yield b.getDouble(body); }
                case Lv2Uris.ATOM_INT -> { assertEquals(4, size); yield b.getInt(body); }
                case Lv2Uris.ATOM_FLOAT -> { assertEquals(4, size); yield b.getFloat(body); }
                default -> throw new AssertionError("unexpected value type " + type);
            };
            values.put(key.substring(key.indexOf('#') + 1), v);
            prop += pad8(16 + size); // lv2_atom_object_next
        }
        assertEquals(p.frame(), values.get("frame"));
        assertEquals(1f, values.get("speed"));
        assertEquals(8L, values.get("bar"), "LV2 bars count from 0");
        assertEquals(1.0f, values.get("barBeat"));
        assertEquals(33.0, values.get("beat"));
        assertEquals(4, values.get("beatUnit"));
        assertEquals(4f, values.get("beatsPerBar"));
        assertEquals(120f, values.get("beatsPerMinute"));
        assertTrue(8 + seqSize <= AtomWriter.POSITION_SEQUENCE_BYTES);
    }

    @Test
    void outputBufferOffersItsCapacity() {
        UridMap urids = new UridMap();
        Memory mem = new Memory(4096);
        ByteBuffer b = AtomWriter.view(mem, 4096);
        new AtomWriter(urids).outputCapacity(b);
        assertEquals(4096 - 8, b.getInt(0));
        assertEquals(urids.map(Lv2Uris.ATOM_CHUNK), b.getInt(4));
    }

    private static int pad8(int n) {
        return (n + 7) & ~7;
    }
}
