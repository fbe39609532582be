package dev.segue.engine.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.segue.engine.checkpoint.CheckpointException;
import dev.segue.engine.checkpoint.Checkpoints;
import dev.segue.engine.checkpoint.WeightStore;
import dev.segue.engine.config.ConfigException;
import dev.segue.engine.config.ModelConfig;
import dev.segue.engine.config.PriorConfig;
import dev.segue.engine.testing.ReferenceFixture;
import java.io.IOException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Lyrics priors whose config does not match their weights fail at load, naming the tensor. */
class LyricsPriorLoadingTest {
    @RegisterExtension
    static final ReferenceFixture fixture = ReferenceFixture.lyrics();

    /** The fixture config with one prior's hyper-parameters edited. */
    private static ModelConfig edited(String name, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) new ObjectMapper()
                .readTree(fixture.dir().resolve("config.json").toFile());
        edit.accept((ObjectNode) root.get("priors").get(name));
        return ModelConfig.fromJson(root, "edited config");
    }

    private static void load(ModelConfig config, String name, String file) {
        PriorConfig pc = config.named().get(name);
        try (WeightStore store = Checkpoints.open(fixture.dir().resolve(file))) {
            new Prior(pc, config.vqvae(), store, fixture.root()).close();
        }
    }

    @Test
    void namedPriorsAreReadWithTheirLyricsParameters() throws IOException {
        ModelConfig config = ModelConfig.load(fixture.dir().resolve("config.json"));
        PriorConfig single = config.named().get("single_enc_dec");
        assertTrue(single.usesLyrics() && single.singleEncDec());
        assertEquals(single.nCtx() + single.nTokens(), single.sequenceLength());
        PriorConfig sep = config.named().get("sep_enc_dec");
        assertTrue(sep.usesLyrics() && !sep.singleEncDec());
        assertEquals(sep.nCtx(), sep.sequenceLength());
        assertTrue(config.priors().isEmpty(), "no prior is keyed by level in this fixture");
        load(config, "single_enc_dec", "prior_single_enc_dec.safetensors");
        load(config, "single_enc_dec", "prior_single_enc_dec.pth.tar");
        load(config, "sep_enc_dec", "prior_sep_enc_dec.safetensors");
    }

    @Test
    void wrongLyricVocabularyNamesTheJointEmbedding() throws IOException {
        ModelConfig config = edited("single_enc_dec", p -> p.put("n_vocab", 80));
        for (String file : new String[] {"prior_single_enc_dec.safetensors", "prior_single_enc_dec.pth.tar"}) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> load(config, "single_enc_dec", file));
            assertEquals("prior.x_emb.weight", e.tensor(), e.getMessage());
            assertTrue(e.getMessage().contains("[2127, 128]") && e.getMessage().contains("[2128, 128]"), e.getMessage());
        }
    }

    @Test
    void wrongEncoderWidthNamesTheEncoderTensor() throws IOException {
        ModelConfig config = edited("sep_enc_dec", p -> p.put("prime_width", 32));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> load(config, "sep_enc_dec", "prior_sep_enc_dec.safetensors"));
        assertEquals("prime_prior.x_emb.weight", e.tensor(), e.getMessage());
    }

    @Test
    void wrongLyricCountNamesThePositionEmbedding() throws IOException {
        ModelConfig config = edited("single_enc_dec", p -> p.put("n_tokens", 48));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> load(config, "single_enc_dec", "prior_single_enc_dec.safetensors"));
        assertEquals("prior.pos_emb.pos_emb", e.tensor(), e.getMessage());
    }

    @Test
    void instrumentalConfigOnLyricsWeightsIsRefused() throws IOException {
        // Without use_tokens the sep_enc_dec decoder's type 6 layers have no encoder to attend to.
        ModelConfig config = edited("sep_enc_dec", p -> p.put("use_tokens", false));
        ConfigException e = assertThrows(ConfigException.class,
                () -> load(config, "sep_enc_dec", "prior_sep_enc_dec.safetensors"));
        assertTrue(e.getMessage().contains("encoder-decoder attention at layer 9"), e.getMessage());
        // single_enc_dec weights read as sep_enc_dec: the lyrics encoder's tensors are missing.
        ModelConfig swapped = edited("single_enc_dec", p -> p.put("single_enc_dec", false));
        assertThrows(RuntimeException.class, () -> load(swapped, "single_enc_dec", "prior_single_enc_dec.safetensors"));
    }
}
