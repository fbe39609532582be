package dev.segue.tests;

/** The VST3 build in headless Ardour at 44.1 kHz, 90 bpm in 3/4 (see {@link ProducerSession}). */
class ArdourProducerVst3ThreeFourTest extends ArdourProducerBase {
    @Override
    ProducerSession.Setting setting() {
        return new ProducerSession.Setting("vst3", 44_100, 90, 3);
    }
}
