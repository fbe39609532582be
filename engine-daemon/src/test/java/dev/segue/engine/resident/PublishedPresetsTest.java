package dev.segue.engine.resident;

import dev.segue.engine.bench.PublishedSizeBench;
import dev.segue.engine.resident.ResidentModel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.prior.AttentionPattern;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The published models' presets parse as the model loader reads them, every layer's attention pattern exists,
 * and their {@code files} name exactly the files the loader looks for in a model folder.
 */
class PublishedPresetsTest {
    private static final Path PRESETS = Path.of(System.getProperty("segue.home", "..")).resolve("presets");

    @Test
    void publishedPresetsLoadAndNameTheFilesTheLoaderReads() throws Exception {
        for (String name : List.of("jukebox-5b", "jukebox-5b-lyrics", "jukebox-1b-lyrics")) {
            Path file = PRESETS.resolve(name + ".json");
            ModelConfig config = ModelConfig.load(file);
            assertEquals(3, config.vqvae().levels(), name);
            assertEquals(Set.of(0, 1, 2), config.priors().keySet(), name);
            for (PriorConfig pc : config.priors().values()) {
                for (int layer = 0; layer < pc.depth(); layer++) {
                    int type = AttentionPattern.referenceType(pc.attnOrder(), layer);
                    boolean lyricsLayer = type == AttentionPattern.ENCODER_DECODER_TYPE
                            || type == AttentionPattern.LYRICS_TYPE;
                    if (!(pc.usesLyrics() && lyricsLayer)) {
                        AttentionPattern.forLayer(pc.attnOrder(), layer); // throws for a pattern the engine lacks
                    }
                }
                assertEquals(0, pc.sequenceLength() % pc.blocks(), name + " level " + pc.level());
            }
            assertTrue(PublishedSizeBench.isPublished(file), name);
            JsonNode files = new ObjectMapper().readTree(file.toFile()).get("files");
            List<String> local = new java.util.ArrayList<>();
            files.fieldNames().forEachRemaining(local::add);
            assertEquals(List.of("vqvae.pth.tar", "prior_level_0.pth.tar", "prior_level_1.pth.tar",
                    "prior_level_2.pth.tar"), local, name);
            for (String f : local) {
                String stem = f.substring(0, f.length() - ".pth.tar".length());
                assertEquals(f, ResidentModel.weights(Path.of("/nonexistent"), stem).getFileName().toString());
                assertTrue(files.get(f).asText().startsWith("jukebox/models/"), files.get(f).asText());
            }
        }
        assertTrue(ModelConfig.load(PRESETS.resolve("jukebox-1b-lyrics.json")).priors().get(2).usesLyrics());
        assertTrue(ModelConfig.load(PRESETS.resolve("jukebox-5b-lyrics.json")).priors().get(2).usesLyrics());
    }
}
