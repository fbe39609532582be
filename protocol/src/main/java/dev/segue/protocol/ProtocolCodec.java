package dev.segue.protocol;

import dev.segue.protocol.message.Message;
import dev.segue.protocol.message.MessageType;
import dev.segue.protocol.message.Preview;
import dev.segue.protocol.message.Result;
import dev.segue.protocol.message.Submit;
import java.util.List;

/**
 * The protocol's one Java codec: a message is 1 or 2 ZeroMQ frames (PROTOCOL.md, "Framing").
 * Frame 0 is the msgpack header, frame 1 (submit, preview, result only) the audio. The ROUTER
 * identity frame is the transport's business and never reaches this class.
 *
 * <p>Stateless and thread-safe.
 */
public final class ProtocolCodec {
    private ProtocolCodec() {}

    /** Canonical frames of a message; the record has already been validated by its constructor. */
    public static List<byte[]> encode(Message m) {
        byte[] header = MessageEncoder.header(m);
        if (header.length > Bounds.MAX_HEADER_BYTES) {
            throw Check.tooLarge("header", header.length + " bytes exceeds " + Bounds.MAX_HEADER_BYTES);
        }
        Audio audio = audioOf(m);
        if (audio == null) {
            return List.of(header);
        }
        // The largest audio a record admits (60 s, 192 kHz, stereo) plus the largest header fits.
        return List.of(header, AudioCodec.encode(audio));
    }

    /**
     * Decodes and fully validates one message. Any bad input, whatever its kind, ends in
     * {@link ProtocolException}; its {@code req()} is set when the header's req was readable.
     */
    public static Message decode(List<byte[]> frames) {
        if (frames == null || frames.isEmpty()) {
            throw Check.bad("frames", "no frames");
        }
        if (frames.size() > 2) {
            throw Check.bad("frames", frames.size() + " frames, a message has 1 or 2");
        }
        long total = 0;
        for (byte[] f : frames) {
            if (f == null) {
                throw Check.bad("frames", "null frame");
            }
            total += f.length;
        }
        if (total > Bounds.MAX_MESSAGE_BYTES) {
            throw Check.tooLarge("message", total + " bytes exceeds " + Bounds.MAX_MESSAGE_BYTES);
        }
        byte[] header = frames.get(0);
        if (header.length > Bounds.MAX_HEADER_BYTES) {
            throw Check.tooLarge("header", header.length + " bytes exceeds " + Bounds.MAX_HEADER_BYTES);
        }
        MapView h = MapView.header(header);
        long req = Check.range("req", h.get("req").int64(), 0, Bounds.MAX_UINT32);
        try {
            long v = h.get("v").int64();
            if (v != Bounds.PROTOCOL_VERSION) {
                throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION,
                        "v: protocol version " + v + " not supported, this peer speaks " + Bounds.PROTOCOL_VERSION);
            }
            String name = h.get("type").string(Bounds.MAX_NAME_BYTES);
            MessageType type = MessageType.fromWire(name)
                    .orElseThrow(() -> Check.bad("type", "unknown message type '" + name + "'"));
            byte[] audio = frames.size() == 2 ? frames.get(1) : null;
            if (type.carriesAudio() && audio == null) {
                throw Check.bad("frames", "'" + name + "' needs an audio frame");
            }
            if (!type.carriesAudio() && audio != null) {
                throw Check.bad("frames", "'" + name + "' takes no audio frame");
            }
            return MessageDecoder.decode(type, req, h, audio);
        } catch (ProtocolException e) {
            throw e.withReq(req);
        }
    }

    private static Audio audioOf(Message m) {
        if (m instanceof Submit s) {
            return s.prime();
        }
        if (m instanceof Preview p) {
            return p.audio();
        }
        if (m instanceof Result r) {
            return r.audio();
        }
        return null;
    }
}
