package dev.segue.engine.resident;

import static dev.segue.engine.testing.RawClient.receive;
import static dev.segue.engine.testing.RawClient.receiveOrNull;
import static dev.segue.engine.testing.RawClient.send;
import dev.segue.engine.monitor.Monitor;
import dev.segue.engine.testing.RawClient;
import dev.segue.engine.nn.Djl;
import dev.segue.engine.resident.EngineBackedContinuation;
import dev.segue.engine.resident.ResidentModel;
import dev.segue.engine.resident.TakeState;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.segue.engine.sampling.ContinuationPipeline;
import dev.segue.engine.server.ContinuationEngine;
import dev.segue.engine.server.Daemon;
import dev.segue.engine.server.ResultStore;
import dev.segue.protocol.Audio;
import dev.segue.protocol.ErrorCode;
import dev.segue.protocol.ProtocolCodec;
import dev.segue.protocol.message.Accepted;
import dev.segue.protocol.message.Capabilities;
import dev.segue.protocol.message.DawContext;
import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.ErrorReply;
import dev.segue.protocol.message.GenerationRequest;
import dev.segue.protocol.message.Hello;
import dev.segue.protocol.message.LabelKind;
import dev.segue.protocol.message.Labels;
import dev.segue.protocol.message.ListLabels;
import dev.segue.protocol.message.Length;
import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.Quality;
import dev.segue.protocol.message.Result;
import dev.segue.protocol.message.Submit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * A model folder whose top priors are keyed by name (the lyrics fixture) with artist and genre lists beside
 * it: the daemon serves each named prior as {@code <folder>/<name>}, takes submits with lyrics, artist and
 * genre, and refuses lyrics it cannot read and names it does not know with BAD_MESSAGE naming the field.
 * {@code list_labels} pages through each prior's lists in their own order; a third prior, the fixture's with a
 * generated artist list longer than two pages and no genre list, shows paging and the empty list.
 */
class LyricsDaemonTest {
    private static final Path FIXTURE = Path.of(System.getProperty("segue.shared", "../../shared"))
            .resolve("conformance/jukebox-lyrics-ref");
    private static final int RATE = 44_100;
    private static final String LONG = "lyricsmodel/long-lists";
    /** Generated artist names: more than two pages, with non-ASCII names and one name listed twice. */
    private static final List<String> LONG_ARTISTS = new ArrayList<>();

    @TempDir
    static Path temp;
    private static NDManager root;
    private static List<ResidentModel> models;
    private static Daemon daemon;
    private static String endpoint;
    private static ZContext context;

    @BeforeAll
    static void start() throws Exception {
        Path folder = Files.createDirectory(temp.resolve("lyricsmodel"));
        for (String f : new String[] {"config.json", "vqvae.safetensors", "prior_single_enc_dec.safetensors",
                "prior_sep_enc_dec.safetensors"}) {
            Files.createSymbolicLink(folder.resolve(f), FIXTURE.toAbsolutePath().resolve(f));
        }
        for (String f : new String[] {"artists.txt", "genres.txt"}) {
            try (var in = LyricsDaemonTest.class.getResourceAsStream("/label-lists/" + f)) {
                Files.copy(in, folder.resolve(f));
            }
        }
        root = Djl.cpuManager();
        models = ResidentModel.loadAll(root, folder);
        List<ContinuationEngine> engines = new ArrayList<>();
        for (ResidentModel m : models) {
            engines.add(new EngineBackedContinuation(m.name(), root, new ContinuationPipeline(m.vqvae(), m.priors()),
                    m.labelNames()));
        }
        engines.add(longListsEngine(models.get(1)));
        daemon = new Daemon("tcp://127.0.0.1:*", ResultStore.open(temp.resolve("data")), engines, 4, null);
        Thread t = new Thread(daemon::serve, "lyrics-daemon-under-test");
        t.setDaemon(true);
        t.start();
        endpoint = daemon.awaitBound();
        context = new ZContext(); // after the daemon's: see DaemonTest on JeroMQ 0.6.0
    }

    /** The same resident model under another name, with a generated artist list of 300 names and no genres. */
    private static ContinuationEngine longListsEngine(ResidentModel m) throws Exception {
        Path lists = Files.createDirectory(temp.resolve("long-lists"));
        StringBuilder file = new StringBuilder("# generated: name;id\n");
        for (int i = 0; i < 300; i++) {
            String name = i % 97 == 5 ? "Kapelle N\u00b0" + i + " \u00e0 Z\u00fcrich" : "Generated Artist " + (1000 - i);
            LONG_ARTISTS.add(name);
            file.append(name).append(';').append(i * 13 % 7898).append('\n');
        }
        file.append("generated artist 999;4\n"); // listed again in other case: one name, listed where it first was
        Files.writeString(lists.resolve("artists.txt"), file);
        ContinuationPipeline pipeline = new ContinuationPipeline(m.vqvae(), m.priors());
        return new EngineBackedContinuation(LONG, root, pipeline,
                dev.segue.engine.labels.LabelNames.load(lists, pipeline.top().config()));
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (context != null) {
            context.close();
        }
        if (models != null) {
            for (int i = models.size() - 1; i >= 0; i--) {
                models.get(i).close();
            }
        }
        if (root != null) {
            root.close();
        }
    }

    private static Submit submit(long req, String prior, String artist, String genre, String lyrics) {
        float[] prime = new float[RATE / 2];
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220.0 * i / RATE));
        }
        GenerationRequest request = new GenerationRequest(prior, "sketch", new Length.Seconds(0.2), 1, Quality.SKETCH,
                List.of(0.9), null, null, 7, artist, genre, lyrics);
        return new Submit(req, new DawContext(RATE, 120.0, 4, 4, 0, 1.0), request, Audio.of(1, prime));
    }

    private static ErrorReply refused(ZMQ.Socket s, Submit submit) {
        send(s, submit);
        ErrorReply e = assertInstanceOf(ErrorReply.class, receive(s));
        assertEquals(ErrorCode.BAD_MESSAGE, e.code(), e.text());
        return e;
    }

    /**
     * The extension of a sung take is conditioned on the take's own lyrics: the same take state with other
     * words extends differently, and the same state twice extends identically.
     */
    @Test
    void anExtensionIsSungWithTheTakesOwnLyrics() {
        ResidentModel single = models.stream().filter(m -> m.name().endsWith("single_enc_dec")).findFirst().orElseThrow();
        EngineBackedContinuation engine = new EngineBackedContinuation(single.name(), root,
                new ContinuationPipeline(single.vqvae(), single.priors()), single.labelNames());
        float[] prime = new float[RATE / 2];
        for (int i = 0; i < prime.length; i++) {
            prime[i] = (float) (0.3 * Math.sin(2 * Math.PI * 330.0 * i / RATE));
        }
        String words = "Harbour lights, take me home";
        GenerationRequest request = new GenerationRequest(single.name(), "sketch", new Length.Seconds(0.2), 1,
                Quality.SKETCH, List.of(0.9), null, null, 11, null, null, words);
        ContinuationEngine.Takes takes = engine.continueTakes(prime, RATE, Math.round(0.2 * RATE), request, quietMonitor());
        TakeState kept = TakeState.fromBytes(takes.state()[0]);
        assertEquals(words, kept.song().lyrics());
        byte[] otherWords = new TakeState(kept.tier(), kept.primeTopTokens(), kept.modelFrames(), kept.perLevel(),
                kept.codes(), new dev.segue.engine.sampling.SongLabels(kept.song().artist(), kept.song().genres(),
                "Quiet fields under falling snow")).toBytes();
        long more = Math.round(0.15 * RATE);
        float[] sung = engine.extend(takes.state()[0], takes.audio()[0], RATE, more, quietMonitor()).audio()[0];
        float[] again = engine.extend(takes.state()[0], takes.audio()[0], RATE, more, quietMonitor()).audio()[0];
        float[] other = engine.extend(otherWords, takes.audio()[0], RATE, more, quietMonitor()).audio()[0];
        assertEquals(more, sung.length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(sung, again, "one state extends one way");
        assertFalse(java.util.Arrays.equals(sung, other), "other lyrics must change the extension");
    }

    private static Monitor quietMonitor() {
        return new Monitor() {
            @Override
            public void progress(int level, long done, long total) {}

            @Override
            public boolean cancelled() {
                return false;
            }
        };
    }

    @Test
    void namedPriorsAreServedAsFolderSlashName() {
        assertEquals(List.of("lyricsmodel/sep_enc_dec", "lyricsmodel/single_enc_dec"),
                models.stream().map(ResidentModel::name).toList());
        assertTrue(models.get(0).description().contains("lyrics, 5 artists, 5 genres"), models.get(0).description());
    }

    @Test
    void submitsWithLyricsArtistAndGenreRunAndBadOnesAreRefusedNamingTheField() {
        ZMQ.Socket s = client();
        List<String> jobs = new ArrayList<>();
        for (String prior : new String[] {"lyricsmodel/single_enc_dec", "lyricsmodel/sep_enc_dec"}) {
            for (String lyrics : new String[] {"Harbour lights, take me home\nAcross the water", ""}) {
                send(s, submit(2, prior, "the velvet kestrels", "Glass Folk", lyrics));
                jobs.add(assertInstanceOf(Accepted.class, receive(s)).job());
                long frames = 0;
                Message m;
                do {
                    m = receive(s);
                    if (m instanceof Result r) {
                        frames += r.audio().frames();
                    }
                } while (!(m instanceof Done || m instanceof ErrorReply));
                assertInstanceOf(Done.class, m, m::toString);
                assertEquals(Math.round(0.2 * RATE), frames);
            }
        }
        // A take keeps its lyrics, artist and genre with its codes: takes of both lyrics priors, sung and
        // instrumental, extend by exactly the asked length.
        for (String job : jobs) {
            send(s, new dev.segue.protocol.message.Extend(6, job, 0, new Length.Seconds(0.1)));
            assertInstanceOf(Accepted.class, receive(s));
            long frames = 0;
            Message m;
            do {
                m = receive(s);
                if (m instanceof Result r) {
                    frames += r.audio().frames();
                }
            } while (!(m instanceof Done || m instanceof ErrorReply));
            assertInstanceOf(Done.class, m, m::toString);
            assertEquals(Math.round(0.1 * RATE), frames, "extension of " + job);
        }
        String single = "lyricsmodel/single_enc_dec";
        ErrorReply emoji = refused(s, submit(3, single, null, null, "la la \uD83C\uDFB5"));
        assertTrue(emoji.text().startsWith("request.lyrics: character"), emoji.text());
        assertTrue(emoji.text().contains("U+1F3B5") && emoji.text().contains(single), emoji.text());
        ErrorReply artist = refused(s, submit(4, single, "The Velvet Kestrel", null, null));
        assertTrue(artist.text().startsWith("request.artist: prior '" + single + "': artist 'The Velvet Kestrel' is not "
                + "in this prior's artist list (5 names); closest: the velvet kestrels"), artist.text());
        ErrorReply genre = refused(s, submit(5, single, null, "jazz", null));
        assertTrue(genre.text().startsWith("request.genre: ") && genre.text().contains("closest:"), genre.text());
        assertFalse(genre.text().contains("ships no"), genre.text());
    }

    /** Every page of one list, as a client fetches it: 128 at a time until the offset reaches the total. */
    private static List<String> allPages(ZMQ.Socket s, String prior, LabelKind kind) {
        List<String> names = new ArrayList<>();
        long total;
        int pages = 0;
        do {
            send(s, new ListLabels(10 + pages, prior, kind, names.size(), 128));
            Labels page = assertInstanceOf(Labels.class, receive(s));
            assertEquals(10 + pages, page.req());
            assertEquals(prior, page.prior());
            assertEquals(kind, page.kind());
            assertEquals(names.size(), page.offset());
            total = page.total();
            assertTrue(page.names().size() == Math.min(128, total - names.size()), page.toString());
            names.addAll(page.names());
            pages++;
        } while (names.size() < total);
        return names;
    }

    @Test
    void listLabelsPagesThroughEachPriorsListsInTheirOwnOrder() {
        ZMQ.Socket s = client();
        List<String> fixtureArtists = List.of("unknown", "The Velvet Kestrels", "Marisol Okonkwo-Brandt", "DJ Quarterpast",
                "Harbour Lights Ensemble");
        assertEquals(fixtureArtists, allPages(s, "lyricsmodel/single_enc_dec", LabelKind.ARTIST));
        assertEquals(List.of("unknown", "tidepool jazz", "glass folk", "static soul", "night bus pop"),
                allPages(s, "lyricsmodel/sep_enc_dec", LabelKind.GENRE));
        assertEquals(LONG_ARTISTS, allPages(s, LONG, LabelKind.ARTIST));
        assertEquals(List.of(), allPages(s, LONG, LabelKind.GENRE)); // ships no genre list: total 0

        send(s, new ListLabels(20, LONG, LabelKind.ARTIST, 290, 128)); // the last page is short
        assertEquals(LONG_ARTISTS.subList(290, 300), assertInstanceOf(Labels.class, receive(s)).names());
        send(s, new ListLabels(21, LONG, LabelKind.ARTIST, 300, 5)); // at and past the end: empty, with the total
        Labels end = assertInstanceOf(Labels.class, receive(s));
        assertEquals(List.of(), end.names());
        assertEquals(300, end.total());
        send(s, new ListLabels(22, LONG, LabelKind.ARTIST, 4_000_000_000L, 1));
        assertEquals(300, assertInstanceOf(Labels.class, receive(s)).total());

        send(s, new ListLabels(23, "lyricsmodel/nope", LabelKind.ARTIST, 0, 1));
        ErrorReply unknown = assertInstanceOf(ErrorReply.class, receive(s));
        assertEquals(ErrorCode.UNKNOWN_PRIOR, unknown.code());
        assertTrue(unknown.text().contains("lyricsmodel/single_enc_dec"), unknown.text());

        // A listed name is one a request may use: the artist passes, and the refusal is the genre's.
        String listed = LONG_ARTISTS.get(200);
        ErrorReply genre = refused(s, submit(24, LONG, listed.toUpperCase(java.util.Locale.ROOT), "glass folk", null));
        assertTrue(genre.text().startsWith("request.genre: prior '" + LONG + "' ships no genre list"), genre.text());
    }

    /** A connected client past hello (a connection stuck before the ZeroMQ handshake redials). */
    private static ZMQ.Socket client() {
        return RawClient.connect(context, endpoint, 60_000);
    }
}
