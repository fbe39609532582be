package dev.segue.tests;

/** The VST3 build in headless Ardour at 48 kHz, 120 bpm in 4/4 (see {@link ProducerSession}). */
class ArdourProducerVst3FourFourTest extends ArdourProducerBase {
    @Override
    ProducerSession.Setting setting() {
        return new ProducerSession.Setting("vst3", 48_000, 120, 4);
    }
}
