package dev.segue.bridge.host;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One running LV2 plugin: instantiated through its descriptor with this host's features, every port
 * connected once to a native buffer allocated here, then {@link #run} once per block. Nothing native
 * is allocated per block. Not thread-safe: one thread drives an instance, as in a DAW's audio thread.
 */
public final class PluginInstance implements AutoCloseable {
    /** Atom buffers hold one position event with room to spare; a plugin's rsz:minimumSize wins if larger. */
    static final int DEFAULT_ATOM_BYTES = 8192;
    private static final int MAX_BLOCK = 1 << 16;

    private final PluginInfo info;
    private final int blockLength;
    private final UridMap urids = new UridMap();
    private final Lv2Worker worker = new Lv2Worker();
    private final HostFeatures features;
    private final AtomWriter atoms;
    private final Lv2Descriptor descriptor;
    private final Memory bundlePath;
    private final Memory[] buffers; // by port index
    private final ByteBuffer[] atomViews; // by port index, null for non-atom ports
    private final List<PortInfo> audioIn, audioOut;
    private Pointer handle;
    private boolean active;

    private PluginInstance(PluginInfo info, double sampleRate, int blockLength) throws IOException {
        this.info = info;
        this.blockLength = blockLength;
        int atomBytes = info.ports().stream().mapToInt(PortInfo::minimumBufferBytes).max().orElse(0);
        atomBytes = Math.max(DEFAULT_ATOM_BYTES, atomBytes);
        this.features = new HostFeatures(urids, worker, blockLength, sampleRate, atomBytes);
        List<String> missing = info.requiredFeatures().stream().filter(f -> !features.supported().contains(f)).toList();
        if (!missing.isEmpty()) {
            throw new IOException(info.uri() + " requires host features this host lacks: " + missing);
        }
        for (PortInfo p : info.ports()) {
            if ((p.kind() == PortInfo.Kind.OTHER) && !p.optional()) {
                throw new IOException(info.uri() + ": port " + p.symbol() + " is of a kind this host cannot connect");
            }
        }
        this.atoms = new AtomWriter(urids);
        this.descriptor = Lv2Descriptor.load(info.library(), info.uri());
        byte[] path = (info.bundleDir().toString() + "/").getBytes(StandardCharsets.UTF_8);
        bundlePath = new Memory(path.length + 1L); // kept: some plugins keep the pointer, not a copy
        bundlePath.write(0, path, 0, path.length);
        bundlePath.setByte(path.length, (byte) 0);

        int n = info.ports().size();
        buffers = new Memory[n];
        atomViews = new ByteBuffer[n];
        for (PortInfo p : info.ports()) {
            switch (p.kind()) {
                case AUDIO, CV -> buffers[p.index()] = zeroed(4L * blockLength);
                case CONTROL -> {
                    buffers[p.index()] = zeroed(4);
                    buffers[p.index()].setFloat(0, p.input() ? (p.freeWheeling() ? 1f : p.startValue()) : 0f);
                }
                case ATOM -> {
                    buffers[p.index()] = zeroed(Math.max(atomBytes, p.minimumBufferBytes()));
                    atomViews[p.index()] = AtomWriter.view(buffers[p.index()], (int) buffers[p.index()].size());
                    if (p.input()) {
                        atoms.emptySequence(atomViews[p.index()]);
                    } else {
                        atoms.outputCapacity(atomViews[p.index()]);
                    }
                }
                case OTHER -> buffers[p.index()] = null;
            }
        }
        audioIn = info.ports(PortInfo.Kind.AUDIO, true);
        audioOut = info.ports(PortInfo.Kind.AUDIO, false);

        handle = (Pointer) descriptor.instantiate.invoke(Pointer.class,
                new Object[] {descriptor.pointer, sampleRate, bundlePath, features.array()});
        if (handle == null) {
            throw new IOException(info.uri() + ": instantiate failed at " + sampleRate + " Hz, block " + blockLength);
        }
        worker.attach(handle, descriptor.extension(Lv2Uris.WORKER_INTERFACE));
        for (PortInfo p : info.ports()) {
            descriptor.connectPort.invoke(Void.class, new Object[] {handle, p.index(), buffers[p.index()]});
        }
    }

    /**
     * Loads and instantiates {@code info}'s plugin; control inputs start at their defaults (the
     * freewheeling port, if any, at 1: this host renders offline).
     */
    public static PluginInstance open(PluginInfo info, double sampleRate, int blockLength) throws IOException {
        if (blockLength < 1 || blockLength > MAX_BLOCK) {
            throw new IllegalArgumentException("block length " + blockLength + " is outside 1.." + MAX_BLOCK);
        }
        if (!(sampleRate >= 1000 && sampleRate <= 768_000)) {
            throw new IllegalArgumentException("sample rate " + sampleRate + " is outside 1000..768000 Hz");
        }
        return new PluginInstance(info, sampleRate, blockLength);
    }

    public PluginInfo info() {
        return info;
    }

    public int blockLength() {
        return blockLength;
    }

    public int audioInputs() {
        return audioIn.size();
    }

    public int audioOutputs() {
        return audioOut.size();
    }

    /** Sets a control input port by symbol; the value is not clamped (plugins see what was asked, as in lv2file). */
    public void setControl(String symbol, float value) {
        requireOpen();
        PortInfo p = info.port(symbol).orElseThrow(() -> new IllegalArgumentException(
                "no port '" + symbol + "'; control inputs: " + symbols(info.ports(PortInfo.Kind.CONTROL, true))));
        if (p.kind() != PortInfo.Kind.CONTROL || !p.input()) {
            throw new IllegalArgumentException("port '" + symbol + "' is not a control input");
        }
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("port '" + symbol + "': value must be a finite number");
        }
        buffers[p.index()].setFloat(0, value);
    }

    /** The current value of a control port (input or output) by symbol. */
    public float control(String symbol) {
        requireOpen();
        PortInfo p = info.port(symbol).filter(x -> x.kind() == PortInfo.Kind.CONTROL)
                .orElseThrow(() -> new IllegalArgumentException("no control port '" + symbol + "'"));
        return buffers[p.index()].getFloat(0);
    }

    /** Copies {@code blockLength} samples into audio input {@code i}. */
    public void writeInput(int i, float[] samples) {
        requireOpen();
        buffers[audioIn.get(i).index()].write(0, samples, 0, blockLength);
    }

    /** Copies {@code blockLength} samples of audio output {@code i} into {@code into}. */
    public void readOutput(int i, float[] into) {
        requireOpen();
        buffers[audioOut.get(i).index()].read(0, into, 0, blockLength);
    }

    private void requireOpen() {
        if (handle == null) {
            throw new IllegalStateException("the plugin instance is closed");
        }
    }

    public void activate() {
        requireOpen();
        if (!active && descriptor.activate != null) {
            descriptor.activate.invoke(Void.class, new Object[] {handle});
        }
        active = true;
    }

    /**
     * Runs one block. Time-aware atom inputs get {@code position} (when not null) as a time:Position
     * event at the block's first frame, other atom inputs an empty sequence; atom outputs get their
     * full capacity back.
     */
    public void run(Transport.Position position) {
        requireOpen();
        if (!active) {
            throw new IllegalStateException("activate() before run()");
        }
        for (PortInfo p : info.ports()) {
            ByteBuffer view = atomViews[p.index()];
            if (view == null) {
                continue;
            }
            if (!p.input()) {
                atoms.outputCapacity(view);
            } else if (p.supportsTimePosition() && position != null) {
                atoms.positionSequence(view, position);
            } else {
                atoms.emptySequence(view);
            }
        }
        descriptor.run.invoke(Void.class, new Object[] {handle, blockLength});
        worker.afterRun();
    }

    public void deactivate() {
        if (active && descriptor.deactivate != null) {
            descriptor.deactivate.invoke(Void.class, new Object[] {handle});
        }
        active = false;
    }

    /**
     * Deactivates if needed, calls cleanup and frees the port buffers at once (the feature structs
     * are small and left to the garbage collector, in case a plugin thread outlives cleanup).
     */
    @Override
    public void close() {
        if (handle == null) {
            return;
        }
        deactivate();
        descriptor.cleanup.invoke(Void.class, new Object[] {handle});
        handle = null;
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] != null) {
                buffers[i].close();
                buffers[i] = null;
            }
            atomViews[i] = null;
        }
    }

    /** A one-line-per-port description (what `segue render --list-ports` prints). */
    public static String describePorts(PluginInfo info) {
        StringBuilder s = new StringBuilder(info.name() + " <" + info.uri() + ">\n");
        for (PortInfo p : info.ports()) {
            s.append(String.format(Locale.ROOT, "  %2d %-6s %-7s %-24s", p.index(), p.input() ? "in" : "out",
                    p.kind().name().toLowerCase(Locale.ROOT), p.symbol()));
            if (p.kind() == PortInfo.Kind.CONTROL) {
                s.append(String.format(Locale.ROOT, " default %s range [%s, %s]", num(p.defaultValue()), num(p.minimum()), num(p.maximum())));
            }
            if (p.supportsTimePosition()) {
                s.append(" time:Position");
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static String num(float v) {
        return Float.isNaN(v) ? "-" : String.format(Locale.ROOT, "%g", v);
    }

    private static String symbols(List<PortInfo> ports) {
        List<String> s = new ArrayList<>();
        ports.forEach(p -> s.add(p.symbol()));
        return String.join(", ", s);
    }

    private static Memory zeroed(long bytes) {
        Memory m = new Memory(bytes);
        m.clear();
        return m;
    }
}
