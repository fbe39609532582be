package dev.segue.engine.labels;

import dev.segue.engine.config.PriorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A labelled prior's artist and genre names, read from {@code artists.txt} and {@code genres.txt} beside the
 * model, in the layout of the reference's {@code v3_artist_ids.txt} / {@code v2_genre_ids.txt}: one
 * {@code name;id} per line (blank lines and lines starting with {@code #} are skipped). Several names may
 * share an id. Names are matched as the reference matches them: v3 ({@code labels_v3}) case-insensitively;
 * v2 after {@link #normaliseV2} (lower case, every run of other characters than a-z 0-9 becomes one
 * {@code _}), and a v2 genre is a bag of words: each {@code _}-separated word is one genre id, up to
 * {@code max_bow_genre_size} of them. Ids must lie within the prior's {@code y_bins}.
 */
public final class LabelNames {
    public static final String ARTISTS_FILE = "artists.txt";
    public static final String GENRES_FILE = "genres.txt";
    /** The reference's v3 artist list is ~0.3 MB; this bounds what a model folder can make the daemon read. */
    private static final long MAX_FILE_BYTES = 8L << 20;
    /** The wire's name bound: a longer name could be neither asked for in a request nor listed to a client. */
    private static final int MAX_NAME_BYTES = 128;
    private static final int CLOSE_MATCHES = 5;

    private final boolean v3;
    private final int maxGenres;
    private final Map<String, Integer> artists;
    private final Map<String, Integer> genres;
    private final List<String> artistList;
    private final List<String> genreList;

    private LabelNames(boolean v3, int maxGenres, NameList artists, NameList genres) {
        this.v3 = v3;
        this.maxGenres = maxGenres;
        this.artists = artists.ids();
        this.genres = genres.ids();
        this.artistList = artists.listed();
        this.genreList = genres.listed();
    }

    /** One file: lookup key to id, and the names as written in the file's order (one per key, where it first appears). */
    private record NameList(Map<String, Integer> ids, List<String> listed) {
        static final NameList EMPTY = new NameList(Collections.emptyMap(), List.of());
    }

    /** The lists in {@code dir} for a labelled prior; a missing file is an empty list (no names of that kind). */
    public static LabelNames load(Path dir, PriorConfig prior) {
        if (!prior.labels()) {
            throw new IllegalArgumentException("prior level " + prior.level() + " takes no artist/genre labels");
        }
        boolean v3 = prior.labelsV3();
        return new LabelNames(v3, prior.maxBowGenreSize(),
                read(dir.resolve(ARTISTS_FILE), v3, prior.yBins()[1]), read(dir.resolve(GENRES_FILE), v3, prior.yBins()[0]));
    }

    public boolean hasArtists() {
        return !artists.isEmpty();
    }

    public boolean hasGenres() {
        return !genres.isEmpty();
    }

    /** Names as listed (after the lookup's normalisation), sorted. */
    public List<String> artistNames() {
        return List.copyOf(artists.keySet());
    }

    public List<String> genreNames() {
        return List.copyOf(genres.keySet());
    }

    /** The artist names as the model's list writes them, in its order (a name listed twice appears once). */
    public List<String> artistList() {
        return artistList;
    }

    public List<String> genreList() {
        return genreList;
    }

    /** The artist id of a name; refuses an unknown name, listing the closest known ones. */
    public int artist(String name) {
        return lookup("artist", artists, key(name), name);
    }

    /** The genre ids of a name, padded with -1 to max_bow_genre_size (v3: one id; v2: one per word). */
    public int[] genres(String name) {
        int[] out = new int[maxGenres];
        java.util.Arrays.fill(out, -1);
        if (v3) {
            out[0] = lookup("genre", genres, key(name), name);
            return out;
        }
        String[] words = normaliseV2(name).split("_");
        if (words.length > maxGenres) {
            throw new IllegalArgumentException("genre '" + name + "' has " + words.length + " words; this prior takes at most "
                    + maxGenres);
        }
        for (int i = 0; i < words.length; i++) {
            out[i] = lookup("genre", genres, words[i], name);
        }
        return out;
    }

    private String key(String name) {
        return v3 ? name.toLowerCase(java.util.Locale.ROOT).strip() : normaliseV2(name);
    }

    /** The reference's v2 name normalisation: lower case, runs of characters outside a-z 0-9 to one '_', trimmed. */
    public static String normaliseV2(String s) {
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        StringBuilder out = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            boolean keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (keep) {
                out.append(c);
            } else if (out.length() > 0 && out.charAt(out.length() - 1) != '_') {
                out.append('_');
            }
        }
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == '_') {
            end--;
        }
        return out.substring(0, end);
    }

    private static int lookup(String kind, Map<String, Integer> names, String key, String asked) {
        Integer id = names.get(key);
        if (id != null) {
            return id;
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("this prior ships no " + kind + " list; leave " + kind + " out");
        }
        throw new IllegalArgumentException(kind + " '" + asked + "' is not in this prior's " + kind + " list ("
                + names.size() + " names); closest: " + String.join(", ", closest(names.keySet(), key)));
    }

    /** The known names nearest to {@code key} in edit distance, nearest first. */
    static List<String> closest(Iterable<String> names, String key) {
        record Scored(String name, int distance) {}
        List<Scored> all = new ArrayList<>();
        for (String n : names) {
            all.add(new Scored(n, EditDistance.of(key, n)));
        }
        all.sort(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.min(CLOSE_MATCHES, all.size()); i++) {
            out.add(all.get(i).name());
        }
        return out;
    }

    private static NameList read(Path file, boolean v3, int bins) {
        if (!Files.isRegularFile(file)) {
            return NameList.EMPTY;
        }
        List<String> lines;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(file + ": larger than " + MAX_FILE_BYTES + " bytes; not a label list");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        Map<String, Integer> out = new TreeMap<>();
        List<String> listed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            int semi = line.lastIndexOf(';');
            if (semi <= 0 || semi == line.length() - 1) {
                throw new IllegalArgumentException(where + ": expected 'name;id'");
            }
            String name = line.substring(0, semi).strip();
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new IllegalArgumentException(where + ": name longer than " + MAX_NAME_BYTES + " UTF-8 bytes");
            }
            int id;
            try {
                id = Integer.parseInt(line.substring(semi + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": id '" + line.substring(semi + 1) + "' is not a number");
            }
            if (id < 0 || id >= bins) {
                throw new IllegalArgumentException(where + ": id " + id + " outside the prior's 0.." + (bins - 1));
            }
            if (out.put(v3 ? name.toLowerCase(java.util.Locale.ROOT) : normaliseV2(name), id) == null) {
                listed.add(name);
            }
        }
        return new NameList(Collections.unmodifiableMap(out), List.copyOf(listed));
    }
}
