package dev.segue.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A job record's request: its stored form, records older daemons wrote, and where an extension's takes start. */
class JobRequestTest {
    private static final JobRequest SUBMITTED = new JobRequest("default", "length_bars=4.0", "7", "sketch", 48_000,
            480_000L, 96_000L, 5.0, 120.0, "4/4", null);

    @Test
    void theStoredFormIsTheRecordsStringPairs() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String text = json.writeValueAsString(SUBMITTED);
        assertEquals(Map.of("prior", "default", "length", "length_bars=4.0", "seed", "7", "sample_rate", "48000",
                "prime_start_sample", "480000", "prime_frames", "96000", "prime_start_bar", "5.0", "tempo_bpm", "120.0",
                "quality", "sketch", "time_sig", "4/4"), json.readValue(text, Map.class));
        assertEquals(SUBMITTED, json.readValue(text, JobRequest.class));
    }

    @Test
    void anOlderOrHandEditedRecordReadsWhatItHas() {
        JobRequest old = JobRequest.fromMap(Map.of("prior", "default", "prime_frames", "many", "tempo_bpm", "90"));
        assertEquals("default", old.prior());
        assertNull(old.primeFrames(), "a value that does not parse is absent");
        assertEquals(0, old.takeStart());
        assertNull(old.barAt(0), "no rate, metre or place: no bar");
        assertEquals(90.0, old.context(48_000, 0).tempoBpm());
        assertEquals(4, old.context(48_000, 0).timeSigNum(), "no metre recorded: 4/4");
    }

    @Test
    void takesStartAfterThePrimeOnTheBarThere() {
        // 96000 frames at 48 kHz is 2 s, one 4/4 bar at 120 bpm: the takes start on bar 6.
        assertEquals(576_000, SUBMITTED.takeStart());
        assertEquals(6.0, SUBMITTED.barAt(SUBMITTED.takeStart()), 1e-12);
        // An extension of a 4 s take starts 2 bars later, and its own takes start there.
        JobRequest extension = SUBMITTED.extension("job-1:0", "length_bars=2.0", 576_000 + 192_000);
        assertEquals(768_000, extension.takeStart());
        assertEquals(8.0, extension.barAt(extension.takeStart()), 1e-12);
        assertEquals("job-1:0", extension.extendsTake());
        assertEquals("4/4", extension.timeSig());
    }
}
