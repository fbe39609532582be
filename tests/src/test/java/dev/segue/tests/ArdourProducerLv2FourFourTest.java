package dev.segue.tests;

/** The LV2 build in headless Ardour at 44.1 kHz, 120 bpm in 4/4 (see {@link ProducerSession}). */
class ArdourProducerLv2FourFourTest extends ArdourProducerBase {
    @Override
    ProducerSession.Setting setting() {
        return new ProducerSession.Setting("lv2", 44_100, 120, 4);
    }
}
