package dev.segue.engine.resident;

import dev.segue.engine.prior.PrimeTraits;
import dev.segue.engine.prior.TempoWarp;
import dev.segue.engine.sampling.SamplingParams;
import dev.segue.engine.sampling.SongLabels;
import dev.segue.engine.sampling.Tier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the engine keeps of a finished take so it can be extended later, even after a daemon restart: its
 * codes at every level the tier sampled, where the take starts in them, its length at the model rate, how it
 * was sampled, and what it was conditioned on (artist and genre ids, lyrics), so an extension goes on with the
 * same song. The server stores these bytes opaquely; this class alone writes and reads them, and reading checks
 * every count against bounds before allocating. Version 1 states (before the song was kept) read with a null song;
 * versions 1 and 2 (before the prime's traits were kept) with null traits; version 3 (before the clock kept its
 * bar) with a four-beat bar counted from the first beat, which is what such a take's clock was; versions 1 to 4
 * (before a prior could hear songs at its own tempo) with no tempo warp; versions 3 to 5 (before the prime's chroma
 * could be kept bar by bar) with no bar cycle. With a warp, {@code modelFrames} counts
 * samples at the song's tempo and the codes are at the prior's.
 */
public record TakeState(Tier tier, int primeTopTokens, long modelFrames, List<SamplingParams> perLevel,
                 Map<Integer, long[]> codes, SongLabels song, PrimeTraits traits, TempoWarp warp) {
    private static final int MAGIC = 0x53475453; // "SGTS"
    private static final int VERSION = 6;

    /** A state of a take heard at the song's own tempo. */
    TakeState(Tier tier, int primeTopTokens, long modelFrames, List<SamplingParams> perLevel,
              Map<Integer, long[]> codes, SongLabels song, PrimeTraits traits) {
        this(tier, primeTopTokens, modelFrames, perLevel, codes, song, traits, null);
    }

    /** A state without prime traits: the prior has no beat clock. */
    TakeState(Tier tier, int primeTopTokens, long modelFrames, List<SamplingParams> perLevel,
              Map<Integer, long[]> codes, SongLabels song) {
        this(tier, primeTopTokens, modelFrames, perLevel, codes, song, null);
    }
    private static final int MAX_GENRES = 64;
    /** Lyrics bytes: the protocol allows 4096; the bound here only keeps a corrupt file from allocating much. */
    private static final int MAX_LYRICS_BYTES = 1 << 16;
    private static final int MAX_LEVELS = 8;
    private static final int MAX_CODES_PER_LEVEL = 16 << 20;

    byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(tier.ordinal());
            out.writeInt(primeTopTokens);
            out.writeLong(modelFrames);
            out.writeInt(perLevel.size());
            for (SamplingParams p : perLevel) {
                out.writeDouble(p.temperature());
                out.writeInt(p.topK());
                out.writeDouble(p.topP());
                out.writeLong(p.seed());
            }
            out.writeInt(codes.size());
            for (var e : codes.entrySet()) {
                out.writeInt(e.getKey());
                out.writeInt(e.getValue().length);
                for (long code : e.getValue()) {
                    out.writeInt((int) code);
                }
            }
            writeSong(out, song == null ? SongLabels.NONE : song);
            writeTraits(out, traits);
            out.writeBoolean(warp != null);
            if (warp != null) {
                out.writeDouble(warp.bpm());
                out.writeDouble(warp.modelBpm());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a byte array does not fail
        }
    }

    static TakeState fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int magic = in.readInt();
            int version = in.readInt();
            if (magic != MAGIC || version < 1 || version > VERSION) {
                throw new IllegalArgumentException("not a take state this engine wrote (magic/version)");
            }
            int tier = in.readInt();
            if (tier < 0 || tier >= Tier.values().length) {
                throw new IllegalArgumentException("take state: tier " + tier);
            }
            int primeTop = in.readInt();
            long frames = in.readLong();
            int levels = in.readInt();
            if (primeTop < 1 || frames < 1 || levels < 1 || levels > MAX_LEVELS) {
                throw new IllegalArgumentException("take state: prime " + primeTop + ", frames " + frames + ", levels " + levels);
            }
            List<SamplingParams> params = new ArrayList<>();
            for (int i = 0; i < levels; i++) {
                params.add(new SamplingParams(in.readDouble(), in.readInt(), in.readDouble(), in.readLong()));
            }
            int coded = in.readInt();
            if (coded < 1 || coded > MAX_LEVELS) {
                throw new IllegalArgumentException("take state: " + coded + " levels of codes");
            }
            Map<Integer, long[]> codes = new TreeMap<>();
            for (int i = 0; i < coded; i++) {
                int level = in.readInt();
                int n = in.readInt();
                if (level < 0 || level >= MAX_LEVELS || n < 1 || n > MAX_CODES_PER_LEVEL || codes.containsKey(level)
                        || (long) n * 4 > in.available()) {
                    throw new IllegalArgumentException("take state: level " + level + " with " + n + " codes");
                }
                long[] row = new long[n];
                for (int j = 0; j < n; j++) {
                    row[j] = in.readInt();
                }
                codes.put(level, row);
            }
            SongLabels song = version >= 2 ? readSong(in) : null; // null: not kept (version 1)
            PrimeTraits traits = version >= 3 ? readTraits(in, version) : null; // null: not kept (versions 1 and 2)
            TempoWarp warp = version >= 5 ? readWarp(in) : null;
            if (in.available() != 0) {
                throw new IllegalArgumentException("take state: " + in.available() + " bytes after the tempo warp");
            }
            return new TakeState(Tier.values()[tier], primeTop, frames, params, codes, song, traits, warp);
        } catch (IOException e) {
            throw new IllegalArgumentException("take state is truncated", e);
        }
    }

    private static void writeTraits(DataOutputStream out, PrimeTraits traits) throws IOException {
        out.writeBoolean(traits != null);
        if (traits != null) {
            out.writeDouble(traits.bpm());
            out.writeDouble(traits.firstBeatSeconds());
            for (double c : traits.chroma()) {
                out.writeDouble(c);
            }
            out.writeDouble(traits.beatsPerBar());
            out.writeDouble(traits.firstBeatInBar());
            double[][] cycle = traits.barCycle();
            out.writeInt(cycle == null ? 0 : cycle.length);
            for (double[] bar : cycle == null ? new double[0][] : cycle) {
                for (double c : bar) {
                    out.writeDouble(c);
                }
            }
        }
    }

    private static PrimeTraits readTraits(DataInputStream in, int version) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        double bpm = in.readDouble();
        double firstBeat = in.readDouble();
        double[] chroma = new double[12];
        for (int i = 0; i < 12; i++) {
            chroma[i] = in.readDouble();
        }
        double beatsPerBar = version >= 4 ? in.readDouble() : 4;
        double firstBeatInBar = version >= 4 ? in.readDouble() : 0;
        double[][] cycle = null;
        if (version >= 6) {
            int bars = in.readInt();
            if (bars < 0 || bars > PrimeTraits.MAX_BAR_CYCLE) {
                throw new IllegalArgumentException("take state: a bar cycle of " + bars + " bars (at most "
                        + PrimeTraits.MAX_BAR_CYCLE + ")");
            }
            cycle = bars == 0 ? null : new double[bars][12];
            for (int b = 0; b < bars; b++) {
                for (int i = 0; i < 12; i++) {
                    cycle[b][i] = in.readDouble();
                }
            }
        }
        try {
            return new PrimeTraits(bpm, firstBeat, beatsPerBar, firstBeatInBar, chroma, cycle);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("take state: prime traits " + e.getMessage());
        }
    }

    private static TempoWarp readWarp(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        double bpm = in.readDouble();
        double modelBpm = in.readDouble();
        try {
            return TempoWarp.of(bpm, modelBpm);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("take state: tempo warp " + e.getMessage());
        }
    }

    private static void writeSong(DataOutputStream out, SongLabels song) throws IOException {
        out.writeBoolean(song.artist() != null);
        if (song.artist() != null) {
            out.writeInt(song.artist());
        }
        out.writeInt(song.genres() == null ? -1 : song.genres().length);
        if (song.genres() != null) {
            for (int g : song.genres()) {
                out.writeInt(g);
            }
        }
        byte[] lyrics = song.lyrics() == null ? null : song.lyrics().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(lyrics == null ? -1 : lyrics.length);
        if (lyrics != null) {
            out.write(lyrics);
        }
    }

    private static SongLabels readSong(DataInputStream in) throws IOException {
        Integer artist = in.readBoolean() ? in.readInt() : null;
        int genreCount = in.readInt();
        if (genreCount < -1 || genreCount > MAX_GENRES) {
            throw new IllegalArgumentException("take state: " + genreCount + " genres");
        }
        int[] genres = genreCount < 0 ? null : new int[genreCount];
        for (int i = 0; i < genreCount; i++) {
            genres[i] = in.readInt();
        }
        int lyricsBytes = in.readInt();
        if (lyricsBytes < -1 || lyricsBytes > MAX_LYRICS_BYTES || lyricsBytes > in.available()) {
            throw new IllegalArgumentException("take state: lyrics of " + lyricsBytes + " bytes");
        }
        String lyrics = null;
        if (lyricsBytes >= 0) {
            byte[] bytes = in.readNBytes(lyricsBytes);
            lyrics = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        return new SongLabels(artist, genres, lyrics);
    }
}
