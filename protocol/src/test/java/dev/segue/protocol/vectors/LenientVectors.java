package dev.segue.protocol.vectors;

import static dev.segue.protocol.vectors.Edits.edit;
import static dev.segue.protocol.vectors.Edits.nested;
import static dev.segue.protocol.vectors.Edits.put;
import static dev.segue.protocol.vectors.Edits.sub;

import dev.segue.protocol.vectors.HeaderTree.F32;
import dev.segue.protocol.vectors.HeaderTree.Raw;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Valid but not canonical messages: what a decoder must accept although no canonical encoder
 * writes it. Each decodes to the same message as the named canonical vector (and re-encodes to it).
 */
public final class LenientVectors {
    private LenientVectors() {}

    public record Lenient(String name, String canonical, String about, List<byte[]> frames) {}

    public static List<Lenient> all() {
        List<Lenient> v = new ArrayList<>();
        v.add(new Lenient("keys_reordered", "submit_bars", "header and nested keys in reverse order",
                edit("submit_bars", h -> {
                    reverse(h);
                    reverse(sub(h, "context"));
                    reverse(sub(h, "request"));
                })));
        v.add(new Lenient("unknown_fields", "submit_bars", "unknown keys at every level, of every msgpack type",
                edit("submit_bars", h -> {
                    h.put("x_future", Map.of("a", List.of(1L, "two", 3.0, true)));
                    h.put("x_bin", new byte[] {1, 2, 3});
                    h.put("x_ext", new Raw(new byte[] {(byte) 0xd4, 0x05, 0x2a})); // fixext1 type 5
                    h.put("x_nil", null);
                    sub(h, "context").put("x_ctx", -5L);
                    sub(h, "request").put("x_req", "ignored");
                })));
        v.add(new Lenient("nesting_at_limit", "heartbeat", "an unknown field nested exactly 8 levels deep",
                edit("heartbeat", put("x", nested(7)))));
        v.add(new Lenient("nil_optionals", "submit_bars", "optional fields present as nil count as absent",
                edit("submit_bars", h -> {
                    sub(h, "request").put("top_p", null);
                    sub(h, "request").put("artist", null);
                    sub(h, "request").put("lyrics", null);
                })));
        v.add(new Lenient("error_job_nil", "error_no_job", "", edit("error_no_job", h -> {
            LinkedHashMap<String, Object> copy = new LinkedHashMap<>(h);
            h.clear();
            copy.forEach((k, val) -> {
                h.put(k, val);
                if (k.equals("req")) {
                    h.put("job", null);
                }
            });
        })));
        v.add(new Lenient("ints_for_floats", "submit_bars", "integers where floats are expected",
                edit("submit_bars", h -> {
                    sub(h, "context").put("tempo_bpm", 120L);
                    sub(h, "context").put("prime_start_bar", 1L);
                    sub(h, "request").put("length_bars", 4L);
                })));
        v.add(new Lenient("float32", "submit_bars", "float32 where float64 is canonical (values exact in both)",
                edit("submit_bars", h -> {
                    sub(h, "context").put("tempo_bpm", new F32(120f));
                    sub(h, "request").put("length_bars", new F32(4f));
                })));
        v.add(new Lenient("wide_ints", "heartbeat", "integers in wider formats than needed", edit("heartbeat", h -> {
            h.put("v", new Raw(new byte[] {(byte) 0xcc, 1}));                        // uint8 1
            h.put("req", new Raw(new byte[] {(byte) 0xd3, 0, 0, 0, 0, 0, 0, 0, 17})); // int64 17
            h.put("t_ms", new Raw(new byte[] {(byte) 0xcf, 0, 0, 0, 0, 7, 0x5b, (byte) 0xcd, 0x15})); // uint64
        })));
        v.add(new Lenient("wide_str_and_map", "hello", "str16 for a short string, map16 for a small map",
                List.of(wideHello())));
        v.add(new Lenient("list_labels_wide_ints", "list_labels", "offset and limit in uint64 and int16 formats",
                edit("list_labels", h -> {
                    h.put("offset", new Raw(new byte[] {(byte) 0xcf, 0, 0, 0, 0, 0, 0, 0, 0}));   // uint64 0
                    h.put("limit", new Raw(new byte[] {(byte) 0xd1, 0, (byte) 128}));           // int16 128
                })));
        v.add(new Lenient("metadata_unsorted", "result", "open-map keys in non-canonical order",
                edit("result", h -> reverse(sub(h, "metadata")))));
        return v;
    }

    /** The hello vector with its header re-written using map16 and a str16 client name. */
    private static byte[] wideHello() {
        Map<String, Object> h = HeaderTree.read(Edits.frames("hello").get(0));
        byte[] client = "segue-cli".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] str16 = new byte[3 + client.length];
        str16[0] = (byte) 0xda;
        str16[2] = (byte) client.length;
        System.arraycopy(client, 0, str16, 3, client.length);
        h.put("client", new Raw(str16));
        byte[] body = HeaderTree.write(h);
        byte[] out = new byte[body.length + 2]; // fixmap (1 byte) -> map16 (3 bytes)
        out[0] = (byte) 0xde;
        out[2] = (byte) h.size();
        System.arraycopy(body, 1, out, 3, body.length - 1);
        return out;
    }

    private static void reverse(Map<String, Object> m) {
        List<Map.Entry<String, Object>> entries = new ArrayList<>(m.entrySet());
        Collections.reverse(entries);
        m.clear();
        entries.forEach(e -> m.put(e.getKey(), e.getValue()));
    }
}
