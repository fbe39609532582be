package dev.segue.protocol.message;

/**
 * One protocol message (PROTOCOL.md). Every message carries {@code req}, a uint32 chosen by the
 * client; daemon replies echo the request they answer, unsolicited daemon messages use 0.
 * Records validate in their constructors, so an instance is always encodable and the decoder
 * and encoder share one definition of "valid".
 */
public sealed interface Message
        permits Hello, Capabilities, ListPriors, Priors, ListPresets, Presets, Submit, Accepted, Progress,
                Preview, Result, Done, ErrorReply, Cancel, Extend, Fetch, Heartbeat,
                ListJobs, Jobs, ListLabels, Labels, GetStats, Stats {

    long req();

    MessageType type();
}
