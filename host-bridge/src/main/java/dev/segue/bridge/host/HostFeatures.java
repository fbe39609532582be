package dev.segue.bridge.host;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code const LV2_Feature* const*} array given to {@code instantiate}, laid out in native memory
 * that lives as long as this object (plugins may keep feature pointers until cleanup).
 *
 * <p>Offered: urid map and unmap, worker schedule ({@link Lv2Worker}), options (min/max/nominal block length, sequence size, sample
 * rate), boundedBlockLength and fixedBlockLength (the host always runs whole blocks of one length,
 * padding the end of the file with silence), and powerOf2BlockLength when the block is one.
 */
final class HostFeatures {
    /** LV2_Options_Option on LP64: context, subject, key, size, type (5 x uint32), pad, value pointer. */
    private static final int OPTION_BYTES = 32;
    private static final int CONTEXT_INSTANCE = 0;

    private final List<Memory> keepAlive = new ArrayList<>();
    private final Map<String, Pointer> features = new LinkedHashMap<>();
    private final Memory array;

    HostFeatures(UridMap urids, Lv2Worker worker, int blockLength, double sampleRate, int sequenceBytes) {
        features.put(Lv2Uris.URID_MAP, urids.mapFeatureData());
        features.put(Lv2Uris.WORKER_SCHEDULE, worker.featureData());
        features.put(Lv2Uris.URID_UNMAP, urids.unmapFeatureData());
        features.put(Lv2Uris.OPTIONS, options(urids, blockLength, sampleRate, sequenceBytes));
        features.put(Lv2Uris.BOUNDED_BLOCK_LENGTH, null);
        features.put(Lv2Uris.FIXED_BLOCK_LENGTH, null);
        if (Integer.bitCount(blockLength) == 1) {
            features.put(Lv2Uris.POWER_OF_2_BLOCK_LENGTH, null);
        }
        int ptr = Native.POINTER_SIZE;
        array = keep(new Memory((long) (features.size() + 1) * ptr));
        int i = 0;
        for (Map.Entry<String, Pointer> f : features.entrySet()) {
            Memory feature = keep(new Memory(2L * ptr)); // struct { const char* URI; void* data; }
            feature.setPointer(0, cString(f.getKey()));
            feature.setPointer(ptr, f.getValue());
            array.setPointer((long) i++ * ptr, feature);
        }
        array.setPointer((long) i * ptr, null);
    }

    /** Feature URIs this host provides, plus core properties that need no host data. */
    Set<String> supported() {
        Set<String> s = new java.util.HashSet<>(features.keySet());
        s.add(Lv2Uris.HARD_RT_CAPABLE);
        s.add(Lv2Uris.IN_PLACE_BROKEN); // ports always get distinct buffers
        return s;
    }

    Pointer array() {
        return array;
    }

    private Pointer options(UridMap urids, int blockLength, double sampleRate, int sequenceBytes) {
        Memory block = keep(new Memory(4));
        block.setInt(0, blockLength);
        Memory seq = keep(new Memory(4));
        seq.setInt(0, sequenceBytes);
        Memory rate = keep(new Memory(4));
        rate.setFloat(0, (float) sampleRate);
        int atomInt = urids.map(Lv2Uris.ATOM_INT);
        Object[][] rows = {
            {Lv2Uris.MIN_BLOCK_LENGTH, atomInt, block},
            {Lv2Uris.MAX_BLOCK_LENGTH, atomInt, block},
            {Lv2Uris.NOMINAL_BLOCK_LENGTH, atomInt, block},
            {Lv2Uris.SEQUENCE_SIZE, atomInt, seq},
            {Lv2Uris.PARAM_SAMPLE_RATE, urids.map(Lv2Uris.ATOM_FLOAT), rate},
        };
        Memory options = keep(new Memory((long) (rows.length + 1) * OPTION_BYTES));
        options.clear();
        for (int i = 0; i < rows.length; i++) {
            long o = (long) i * OPTION_BYTES;
            options.setInt(o, CONTEXT_INSTANCE);
            options.setInt(o + 4, 0); // subject: the instance itself
            options.setInt(o + 8, urids.map((String) rows[i][0]));
            options.setInt(o + 12, 4); // size of the value
            options.setInt(o + 16, (Integer) rows[i][1]);
            options.setPointer(o + 24, (Pointer) rows[i][2]);
        }
        return options; // the last row stays zero: key 0 and value NULL end the array
    }

    private Pointer cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        Memory m = keep(new Memory(b.length + 1L));
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        return m;
    }

    private Memory keep(Memory m) {
        keepAlive.add(m);
        return m;
    }
}
