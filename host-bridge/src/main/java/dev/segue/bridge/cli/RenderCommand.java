package dev.segue.bridge.cli;

import dev.segue.bridge.cli.Converters.TimeSignature;
import dev.segue.bridge.host.OfflineRenderer;
import dev.segue.bridge.host.PluginCatalog;
import dev.segue.bridge.host.PluginInfo;
import dev.segue.bridge.host.PluginInstance;
import dev.segue.bridge.host.PortInfo;
import dev.segue.bridge.host.Transport;
import dev.segue.protocol.wav.PcmAudio;
import dev.segue.protocol.wav.WavReader;
import dev.segue.protocol.wav.WavWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Run a WAV through an LV2 plugin hosted in Java (JNA), block by block with a playing transport,"
                + " and write the plugin's output.",
            "The Segue plugin (urn:segue:shim) talks to the daemon itself (SEGUE_ENDPOINT); with --generate-at-bar"
                + " the render keeps the plugin running after the file ends until its state output says the takes"
                + " are written, or --wait-seconds pass."})
final class RenderCommand implements Callable<Integer> {
    /** Longest input: the whole file and its render are held in memory as floats. */
    static final double MAX_INPUT_SECONDS = 1200;
    static final String AUTO_FIRE_PORT = "auto_fire_bar";

    @Spec
    CommandSpec spec;

    @Option(names = "--plugin", required = true, paramLabel = "PATH_OR_URI",
            description = "an LV2 bundle folder (one plugin in it) or a plugin URI on the LV2 path")
    String plugin;

    @Option(names = "--list-ports", description = "print the plugin's ports (symbols, defaults, ranges) and exit")
    boolean listPorts;

    @Option(names = "--in", paramLabel = "TRACK.wav", description = "the track: PCM or float WAV, at most 1200 s")
    Path in;

    @Option(names = "--out", paramLabel = "OUT.wav", description = "the render, same length and rate as --in")
    Path out;

    @Option(names = "--format", defaultValue = "float", paramLabel = "F",
            description = "float (32-bit IEEE, the plugin's output bit for bit) or pcm24 (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--bpm", defaultValue = "120", paramLabel = "BPM",
            description = "tempo, quarter notes per minute, as `continue` takes it (default: ${DEFAULT-VALUE})")
    double bpm;

    @Option(names = "--time-sig", defaultValue = "4/4", paramLabel = "NUM/DEN",
            converter = Converters.TimeSignatureConverter.class, description = "time signature (default: ${DEFAULT-VALUE})")
    TimeSignature timeSig;

    @Option(names = "--block", defaultValue = "512", paramLabel = "FRAMES",
            description = "frames per run() call, fixed for the whole render (default: ${DEFAULT-VALUE})")
    int block;

    @Option(names = {"-p", "--parameter"}, paramLabel = "SYM=VAL",
            description = "set a control input, repeatable; SYM:VAL is accepted too (as lv2file writes it)")
    List<String> parameters = new ArrayList<>();

    @Option(names = "--generate-at-bar", paramLabel = "N",
            description = "Segue plugin: fire a generation at bar N (1 = the first bar, as a DAW counts); sets " + AUTO_FIRE_PORT)
    Integer generateAtBar;

    @Option(names = "--wait-for", paramLabel = "SYM=VAL",
            description = "after the file ends, keep running (silence, transport playing, real-time pace) until output SYM equals VAL")
    String waitFor;

    @Option(names = "--connect-seconds", defaultValue = "20", paramLabel = "S",
            description = "Segue plugin with --generate-at-bar: how long it may take to reach the daemon before play starts (default: ${DEFAULT-VALUE})")
    double connectSeconds;

    @Option(names = "--wait-seconds", defaultValue = "600", paramLabel = "S",
            description = "wall-clock limit for the wait after the file (--wait-for, --generate-at-bar) (default: ${DEFAULT-VALUE})")
    double waitSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        PluginInfo info;
        try {
            info = PluginCatalog.find(plugin);
        } catch (IOException e) {
            throw new UsageError("--plugin: " + e.getMessage());
        }
        if (listPorts) {
            stdout.print(PluginInstance.describePorts(info));
            stdout.flush();
            return 0;
        }
        if (in == null || out == null) {
            throw new UsageError("--in and --out are required (or --list-ports)");
        }
        if (!format.equals("float") && !format.equals("pcm24")) {
            throw new UsageError("--format must be float or pcm24");
        }
        Map<String, Float> controls = parseParameters(info);
        if (generateAtBar != null) {
            if (generateAtBar < 1 || generateAtBar > 9999) {
                throw new UsageError("--generate-at-bar must be in 1..9999");
            }
            PortInfo p = info.port(AUTO_FIRE_PORT).filter(x -> x.kind() == PortInfo.Kind.CONTROL && x.input())
                    .orElseThrow(() -> new UsageError("--generate-at-bar: " + info.uri() + " has no " + AUTO_FIRE_PORT
                            + " control (it is a Segue plugin option)"));
            controls.put(p.symbol(), generateAtBar.floatValue());
        }
        OfflineRenderer.Tail tail = tail(info);
        PcmAudio track;
        try {
            track = WavReader.read(in, MAX_INPUT_SECONDS);
        } catch (IOException e) {
            throw new UsageError("--in: " + e.getMessage());
        }
        // LV2 counts tempo in beats of the meter's note value (time:beatUnit); --bpm counts quarter notes.
        Transport transport = new Transport(track.sampleRate(), bpm * timeSig.den() / 4.0, timeSig.num(), timeSig.den());

        OfflineRenderer.Result result;
        double renderSeconds;
        try (PluginInstance instance = PluginInstance.open(info, track.sampleRate(), block)) {
            controls.forEach(instance::setControl);
            describeMapping(stderr, info, instance, track);
            long t0 = System.nanoTime();
            try {
                result = OfflineRenderer.render(instance, track, transport, preroll(), tail);
            } catch (IllegalStateException e) { // the plugin never got ready (preroll limit)
                stderr.println("segue: " + e.getMessage());
                stderr.flush();
                return BridgeCli.EXIT_DAEMON;
            }
            renderSeconds = (System.nanoTime() - t0) / 1e9 - result.tailSeconds() - result.prerollSeconds();
        }
        if (format.equals("float")) {
            WavWriter.writeFloat32(out, result.audio());
        } else {
            long clipped = WavWriter.write24(out, result.audio());
            if (clipped > 0) {
                stderr.println("segue: " + clipped + " samples clipped to 24-bit full scale");
            }
        }
        stdout.printf(Locale.ROOT, "%s: %d frames, %d blocks of %d, rendered in %.3f s (%.0fx real time)%n", out,
                result.audio().frames(), result.blocks(), block, renderSeconds, track.seconds() / Math.max(renderSeconds, 1e-9));
        List<String> values = new ArrayList<>();
        result.outputs().forEach((k, v) -> values.add(k + "=" + fmt(v)
                + (info.uri().equals(SegueShim.URI) && k.equals(SegueShim.STATE_PORT) ? " (" + SegueShim.stateName(v) + ")" : "")));
        if (!values.isEmpty()) {
            stdout.println("outputs: " + String.join(" ", values));
        }
        if (result.prerollSeconds() > 0) {
            stdout.printf(Locale.ROOT, "preroll %.1f s (transport stopped) until the plugin was ready%n", result.prerollSeconds());
        }
        if (tail != null) {
            stdout.printf(Locale.ROOT, "waited %.1f s (%d blocks) for %s: %s%n", result.tailSeconds(), result.tailBlocks(),
                    tail.description(), result.tailSatisfied() ? "reached" : "NOT reached");
            stdout.flush();
            return result.tailSatisfied() ? 0 : BridgeCli.EXIT_DAEMON;
        }
        stdout.flush();
        return 0;
    }

    private Map<String, Float> parseParameters(PluginInfo info) {
        Map<String, Float> controls = new LinkedHashMap<>();
        for (String p : parameters) {
            int at = Math.max(p.indexOf('='), p.indexOf(':'));
            if (at <= 0 || at == p.length() - 1) {
                throw new UsageError("-p '" + p + "': expected SYMBOL=VALUE");
            }
            String symbol = p.substring(0, at).trim();
            float value;
            try {
                value = Float.parseFloat(p.substring(at + 1).trim());
            } catch (NumberFormatException e) {
                throw new UsageError("-p '" + p + "': '" + p.substring(at + 1) + "' is not a number");
            }
            PortInfo port = info.port(symbol).filter(x -> x.kind() == PortInfo.Kind.CONTROL && x.input())
                    .orElseThrow(() -> new UsageError("-p: " + info.uri() + " has no control input '" + symbol
                            + "' (see --list-ports)"));
            if (!Float.isFinite(value)) {
                throw new UsageError("-p " + symbol + ": value must be finite");
            }
            if (value < port.minimum() || value > port.maximum()) {
                // Not clamped: the plugin gets what was asked, as lv2file does; the warning says it is unusual.
                spec.commandLine().getErr().printf(Locale.ROOT, "segue: warning: %s=%s is outside [%s, %s]%n",
                        symbol, fmt(value), fmt(port.minimum()), fmt(port.maximum()));
            }
            controls.put(symbol, value);
        }
        return controls;
    }

    /**
     * The Segue plugin drops a fire it sees while offline, and needs the daemon's preset list to
     * submit: before play starts, let it connect (state leaves offline), then one more second for
     * the preset list, which follows the connection on loopback within milliseconds.
     */
    private OfflineRenderer.Preroll preroll() {
        if (generateAtBar == null) {
            return null;
        }
        if (!(connectSeconds > 0) || connectSeconds > 3600) {
            throw new UsageError("--connect-seconds must be in (0, 3600]");
        }
        return new OfflineRenderer.Preroll(SegueShim.STATE_PORT, v -> Math.round(v) != SegueShim.OFFLINE, 1.0, connectSeconds,
                "state other than offline: connected to the daemon at " + System.getenv().getOrDefault("SEGUE_ENDPOINT",
                        "tcp://127.0.0.1:5575 (SEGUE_ENDPOINT unset)"));
    }

    private OfflineRenderer.Tail tail(PluginInfo info) {
        if (!(waitSeconds > 0) || waitSeconds > 86400) {
            throw new UsageError("--wait-seconds must be in (0, 86400]");
        }
        if (waitFor == null && generateAtBar != null) {
            // Offline is not a failure: the plugin's worker reconnects by itself, and a daemon may come up late.
            info.port(SegueShim.STATE_PORT).filter(x -> x.kind() == PortInfo.Kind.CONTROL && !x.input())
                    .orElseThrow(() -> new UsageError("--generate-at-bar: " + info.uri() + " has no state output"));
            return new OfflineRenderer.Tail(SegueShim.STATE_PORT, v -> Math.round(v) == SegueShim.READY,
                    v -> Math.round(v) == SegueShim.ERROR, waitSeconds, "state=ready (takes written)");
        }
        String condition = waitFor;
        if (condition == null) {
            return null;
        }
        int at = condition.indexOf('=');
        if (at <= 0 || at == condition.length() - 1) {
            throw new UsageError("--wait-for '" + condition + "': expected SYMBOL=VALUE");
        }
        String symbol = condition.substring(0, at).trim();
        double target;
        try {
            target = Double.parseDouble(condition.substring(at + 1).trim());
        } catch (NumberFormatException e) {
            throw new UsageError("--wait-for '" + condition + "': not a number after '='");
        }
        info.port(symbol).filter(x -> x.kind() == PortInfo.Kind.CONTROL && !x.input())
                .orElseThrow(() -> new UsageError("--wait-for: " + info.uri() + " has no control output '" + symbol + "'"));
        // Control ports are floats: an enumerated state compares within half a step.
        return new OfflineRenderer.Tail(symbol, v -> Math.abs(v - target) < 0.5, null, waitSeconds, symbol + "=" + fmt((float) target));
    }

    private static void describeMapping(PrintWriter err, PluginInfo info, PluginInstance instance, PcmAudio track) {
        int ins = instance.audioInputs();
        if (track.channels() > 1 && track.channels() > ins) {
            err.printf(Locale.ROOT, "segue: note: %d file channels, %d plugin inputs: extra channels dropped%n", track.channels(), ins);
        } else if (track.channels() > 1 && track.channels() < ins) {
            err.printf(Locale.ROOT, "segue: note: %d file channels, %d plugin inputs: extra inputs get silence%n", track.channels(), ins);
        }
        if (info.ports(PortInfo.Kind.ATOM, true).stream().noneMatch(PortInfo::supportsTimePosition)) {
            err.println("segue: note: " + info.uri() + " takes no time:Position; the transport is not sent");
        }
        err.flush();
    }

    private static String fmt(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%g", v);
    }
}
