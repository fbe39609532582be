/*
 * golden_client: a C client, built against libzmq and the native shim's codec (msgpack-c), that speaks to a running Segue daemon
 * with the protocol's golden byte vectors. Valid requests must get the reply type the conversation
 * prescribes; every invalid vector must get an `error` carrying the code the vector index names.
 *
 * usage: golden_client ENDPOINT VECTORS_DIR
 * Prints one PASS/FAIL line per vector and a closing "N passed, M failed" line; exits 1 on any failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "codec.h" /* native-shim/src/core: the one C codec of the protocol */

#define MAX_FRAMES 8
#define MAX_VECTOR_BYTES (16u << 20) /* the committed vectors are kilobytes; anything larger is not one */

typedef struct {
    int count;
    size_t size[MAX_FRAMES];
    unsigned char *data[MAX_FRAMES];
} frames_t;

static void frames_free(frames_t *f) {
    for (int i = 0; i < f->count; i++) free(f->data[i]);
    f->count = 0;
}

/* A .frames file: repeated [u32 little-endian length][bytes]. */
static int frames_read(const char *path, frames_t *f) {
    FILE *in = fopen(path, "rb");
    if (!in) return -1;
    f->count = 0;
    unsigned char len_le[4];
    size_t total = 0;
    while (fread(len_le, 1, 4, in) == 4) {
        uint32_t len = (uint32_t)len_le[0] | (uint32_t)len_le[1] << 8 | (uint32_t)len_le[2] << 16 |
                       (uint32_t)len_le[3] << 24;
        total += len;
        if (f->count == MAX_FRAMES || total > MAX_VECTOR_BYTES) goto bad;
        f->data[f->count] = malloc(len ? len : 1);
        f->size[f->count] = len;
        f->count++;
        if (fread(f->data[f->count - 1], 1, len, in) != len) goto bad;
    }
    fclose(in);
    return 0;
bad:
    fclose(in);
    frames_free(f);
    return -1;
}

static int send_frames(void *sock, const frames_t *f) {
    for (int i = 0; i < f->count; i++) {
        if (zmq_send(sock, f->data[i], f->size[i], i + 1 < f->count ? ZMQ_SNDMORE : 0) < 0) return -1;
    }
    return 0;
}

/* Receives one reply and decodes it with the shim's codec; copies its type and (for an error) code. */
static int receive_reply(void *sock, char *type, size_t type_cap, char *code, size_t code_cap) {
    zmq_msg_t part[3];
    int n = 0, more = 1, ok = -1;
    type[0] = code[0] = '\0';
    while (more) {
        zmq_msg_t *p = &part[n < 3 ? n : 2];
        if (n >= 3) zmq_msg_close(p); /* more frames than any message has: fails the decode below */
        zmq_msg_init(p);
        if (zmq_msg_recv(p, sock, 0) < 0) {
            zmq_msg_close(p);
            for (int i = 0; i < n && i < 3; i++) zmq_msg_close(&part[i]);
            return -1;
        }
        more = zmq_msg_more(p);
        n++;
    }
    int kept = n < 3 ? n : 3;
    segue_frame_t frames[3];
    for (int i = 0; i < kept; i++) {
        frames[i].data = zmq_msg_data(&part[i]);
        frames[i].size = zmq_msg_size(&part[i]);
    }
    static segue_msg_t msg;
    char err[256];
    if (segue_decode(frames, (size_t)n, &msg, err, sizeof err) == SEGUE_OK) {
        snprintf(type, type_cap, "%s", segue_type_name(msg.type));
        if (msg.type == SEGUE_T_ERROR) snprintf(code, code_cap, "%s", segue_code_name(msg.code));
        ok = 0;
    } else {
        printf("undecodable reply: %s\n", err);
    }
    for (int i = 0; i < kept; i++) zmq_msg_close(&part[i]);
    return ok;
}

static int passed, failed;

static void check(void *sock, const char *dir, const char *name, const char *want_type, const char *want_code) {
    char path[4096], type[64], code[64];
    frames_t f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (frames_read(path, &f) != 0) {
        printf("FAIL %s: cannot read the vector\n", name);
        failed++;
        return;
    }
    if (f.count == 0) { /* ZeroMQ cannot carry a message of no frames: nothing to send */
        frames_free(&f);
        return;
    }
    int rc = send_frames(sock, &f) == 0 ? receive_reply(sock, type, sizeof type, code, sizeof code) : -1;
    frames_free(&f);
    if (rc != 0) {
        printf("FAIL %s: no decodable reply\n", name);
        failed++;
    } else if (strcmp(type, want_type) != 0 || (want_code && strcmp(code, want_code) != 0)) {
        printf("FAIL %s: got %s %s, want %s %s\n", name, type, code, want_type, want_code ? want_code : "");
        failed++;
    } else {
        printf("PASS %s -> %s %s\n", name, type, code);
        passed++;
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s ENDPOINT VECTORS_DIR\n", argv[0]);
        return 2;
    }
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    int timeout = 10000, linger = 0;
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(sock, argv[1]) != 0) {
        fprintf(stderr, "cannot connect to %s\n", argv[1]);
        return 2;
    }
    const char *dir = argv[2];
    check(sock, dir, "hello.frames", "capabilities", NULL);
    check(sock, dir, "list_priors.frames", "priors", NULL);
    check(sock, dir, "list_presets.frames", "presets", NULL);
    check(sock, dir, "heartbeat.frames", "heartbeat", NULL);
    /* list_labels_edges names the shipped prior 'default' (its reply is an empty page); list_labels names a
     * prior the test daemon does not serve. */
    check(sock, dir, "list_labels_edges.frames", "labels", NULL);
    check(sock, dir, "list_labels.frames", "error", "UNKNOWN_PRIOR");
    /* A client sending a daemon-to-client type is answered BAD_MESSAGE. */
    check(sock, dir, "capabilities.frames", "error", "BAD_MESSAGE");

    char index[4096], line[1024];
    snprintf(index, sizeof index, "%s/invalid/expected.txt", dir);
    FILE *in = fopen(index, "r");
    if (!in) {
        printf("FAIL invalid/expected.txt: cannot read\n");
        failed++;
    } else {
        char invalid_dir[4096];
        snprintf(invalid_dir, sizeof invalid_dir, "%s/invalid", dir);
        while (fgets(line, sizeof line, in)) {
            char file[512], want[64];
            if (line[0] == '#' || sscanf(line, "%511s %63s", file, want) != 2) continue;
            check(sock, invalid_dir, file, "error", want);
        }
        fclose(in);
    }
    printf("%d passed, %d failed\n", passed, failed);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return failed == 0 && passed > 0 ? 0 : 1;
}
