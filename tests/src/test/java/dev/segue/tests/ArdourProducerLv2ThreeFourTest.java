package dev.segue.tests;

/** The LV2 build in headless Ardour at 48 kHz, 90 bpm in 3/4 (see {@link ProducerSession}). */
class ArdourProducerLv2ThreeFourTest extends ArdourProducerBase {
    @Override
    ProducerSession.Setting setting() {
        return new ProducerSession.Setting("lv2", 48_000, 90, 3);
    }
}
