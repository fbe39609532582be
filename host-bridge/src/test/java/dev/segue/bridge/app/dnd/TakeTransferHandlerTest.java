package dev.segue.bridge.app.dnd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segue.bridge.app.cache.CachedTake;
import dev.segue.bridge.app.cache.TakeCache;
import dev.segue.bridge.client.JobResult;
import dev.segue.bridge.client.Take;
import java.awt.datatransfer.DataFlavor;
import java.awt.datatransfer.Transferable;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.swing.JLabel;
import javax.swing.TransferHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TakeTransferHandlerTest {
    @TempDir
    Path dir;

    private static Take take(int candidate, int frames) {
        float[] s = new float[frames * 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Math.sin(i * 0.01 * (candidate + 1)) * 0.5f;
        }
        return new Take(candidate, 44_100, 2, 88_200, 7 + candidate, Map.of(), s);
    }

    /** The same take as the daemon sends it: placed at bar 5 (0-based 4) of a 120 bpm song. */
    private static Take placed(Take t) {
        return new Take(t.candidate(), t.sampleRate(), t.channels(), t.startSample(), t.seed(),
                Map.of("prior", "p", "tempo_bpm", "120.0", "time_sig", "4/4", "start_bar", "4.000000000001"), t.samples());
    }

    @Test
    void aDraggedTakeIsAFileListWithItsWavOfTheRightLength() throws Exception {
        TakeCache cache = new TakeCache(dir.resolve("cache"), 1 << 20, 4);
        List<CachedTake> takes = cache.put(new JobResult("job-42", List.of(placed(take(0, 1234)), placed(take(1, 4321)))));
        List<String> errors = new ArrayList<>();
        CachedTake second = takes.get(1);
        TakeTransferHandler handler = new TakeTransferHandler(cache, () -> second, errors::add);
        JLabel source = new JLabel("drag me");
        handler.install(source);
        assertEquals(TransferHandler.COPY, handler.getSourceActions(source));

        Files.delete(second.stem()); // removed from the cache folder by hand: the drag writes it again
        Transferable t = handler.createTransferable(source);
        assertTrue(t.isDataFlavorSupported(DataFlavor.javaFileListFlavor));
        @SuppressWarnings("unchecked")
        List<File> files = (List<File>) t.getTransferData(DataFlavor.javaFileListFlavor);
        assertEquals(1, files.size());
        File wav = files.get(0);
        assertEquals("job-42_bar005_120bpm_take2.wav", wav.getName(), "named as the plugin names stems: bar, tempo, take");
        assertTrue(wav.isFile(), "the file exists when the drop target reads it");
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav)) {
            assertEquals(4321, in.getFrameLength(), "the take's length in frames");
            assertEquals(24, in.getFormat().getSampleSizeInBits());
            assertEquals(2, in.getFormat().getChannels());
            assertEquals(44_100, (int) in.getFormat().getSampleRate());
        }
        String uris = (String) t.getTransferData(FileListTransferable.URI_LIST);
        assertEquals(wav.toURI().toASCIIString() + "\r\n", uris, "text/uri-list for X11 drop targets");
        assertTrue(errors.isEmpty(), errors.toString());
        TakeCache reopened = new TakeCache(dir.resolve("cache"), 1 << 20, 4); // after a restart of the app
        assertEquals(second.stem(), reopened.load("job-42").get(1).stem(), "the index keeps the bar-named file");
    }

    @Test
    void aTakeTheDaemonDidNotPlaceInBarsIsNamedByJobAndTake() throws Exception {
        TakeCache cache = new TakeCache(dir.resolve("cache"), 1 << 20, 4);
        CachedTake only = cache.put(new JobResult("job-7", List.of(take(0, 100)))).get(0);
        assertEquals("job-7_take-01.wav", only.stem().getFileName().toString());
        TakeCache reopened = new TakeCache(dir.resolve("cache"), 1 << 20, 4);
        assertEquals(only.stem(), reopened.load("job-7").get(0).stem(), "the index finds the same file again");
    }

    @Test
    void nothingToDragGivesNoTransferable() throws Exception {
        TakeCache cache = new TakeCache(dir.resolve("cache"), 1 << 20, 4);
        TakeTransferHandler handler = new TakeTransferHandler(cache, () -> null, e -> {});
        assertEquals(null, handler.createTransferable(new JLabel()));
    }
}
