/* fake_daemon.h: the daemon's side of PROTOCOL.md, played by a test: a ZeroMQ ROUTER socket on a free
 * loopback port that decodes every frame the plugin sends with the C codec (so each one is checked,
 * bounds and all) and answers the connection chatter (hello, list_priors, list_presets, heartbeat)
 * itself; the test answers the rest. Also a host that drives the core's audio path the way a DAW does
 * (400 bpm 4/4, 48 kHz, 512-frame blocks). Include once per test, after check.h. */
#ifndef SEGUE_FAKE_DAEMON_H
#define SEGUE_FAKE_DAEMON_H

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "codec.h"
#include "segue_core.h"

#define RATE 48000
#define BLOCK 512
#define BPM 400.0
#define BAR_FRAMES 28800 /* one 4/4 bar at 400 bpm and 48 kHz */

typedef struct {
    /* what the fake daemon offers: one prior and its presets (set before the plugin connects) */
    const char *prior;
    int levels, labels;
    const char *max_quality; /* the priors reply's max_quality; NULL: the key is left out, as older daemons do */
    const char *presets[4];
    int n_presets;
    void *ctx, *router;
    uint8_t peer[256];
    size_t peer_n;
    segue_msg_t msg;          /* the last message the plugin sent, decoded */
    zmq_msg_t parts[3];       /* its frames (the decoded strings point into them) */
    int n_parts;
} fake_daemon_t;

typedef struct {
    segue_core_t *e;
    int64_t frame;
    float in_l[BLOCK], in_r[BLOCK], out_l[BLOCK], out_r[BLOCK];
} host_t;

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void send_to_plugin(fake_daemon_t *d, segue_msg_t *m, const void *audio, size_t audio_bytes) {
    uint8_t *hdr;
    size_t n;
    m->v = 1;
    if (segue_encode_header(m, &hdr, &n) != 0) {
        CHECK(!"encode");
        return;
    }
    zmq_send(d->router, d->peer, d->peer_n, ZMQ_SNDMORE);
    zmq_send(d->router, hdr, n, audio ? ZMQ_SNDMORE : 0);
    if (audio) zmq_send(d->router, audio, audio_bytes, 0);
    free(hdr);
}

static void release(fake_daemon_t *d) {
    for (int i = 0; i < d->n_parts; i++) zmq_msg_close(&d->parts[i]);
    d->n_parts = 0;
}

/* The next message from the plugin, decoded into d->msg; 0 when none came within wait_ms. Answers the
 * connection chatter (hello, list_priors, list_presets, heartbeat) itself, as the daemon would. */
static int next_request(fake_daemon_t *d, int wait_ms) {
    release(d);
    zmq_pollitem_t item = {d->router, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, wait_ms) <= 0) return 0;
    zmq_msg_t id;
    zmq_msg_init(&id);
    zmq_msg_recv(&id, d->router, 0);
    d->peer_n = zmq_msg_size(&id) < sizeof d->peer ? zmq_msg_size(&id) : sizeof d->peer;
    memcpy(d->peer, zmq_msg_data(&id), d->peer_n);
    int more = zmq_msg_more(&id);
    zmq_msg_close(&id);
    while (more && d->n_parts < 3) {
        zmq_msg_init(&d->parts[d->n_parts]);
        zmq_msg_recv(&d->parts[d->n_parts], d->router, 0);
        more = zmq_msg_more(&d->parts[d->n_parts]);
        d->n_parts++;
    }
    segue_frame_t frames[3];
    for (int i = 0; i < d->n_parts; i++) {
        frames[i].data = zmq_msg_data(&d->parts[i]);
        frames[i].size = zmq_msg_size(&d->parts[i]);
    }
    char err[256] = "";
    segue_code_t code = segue_decode(frames, (size_t)d->n_parts, &d->msg, err, sizeof err);
    CHECK(code == SEGUE_OK); /* everything the plugin sends is a valid message */
    if (code != SEGUE_OK) {
        printf("  undecodable frame from the plugin: %s\n", err);
        return 0;
    }
    segue_msg_t *reply = calloc(1, sizeof *reply);
    reply->req = d->msg.req;
    switch (d->msg.type) {
    case SEGUE_T_HELLO:
        reply->type = SEGUE_T_CAPABILITIES;
        reply->daemon_version = segue_str("fake-1");
        reply->protocol = 1;
        reply->cap_priors[0] = segue_str(d->prior);
        reply->n_cap_priors = 1;
        for (int i = 0; i < d->n_presets; i++) reply->cap_presets[i] = segue_str(d->presets[i]);
        reply->n_cap_presets = (uint32_t)d->n_presets;
        reply->limits.max_message_bytes = 100663296;
        reply->limits.max_prime_seconds = 60;
        reply->limits.max_candidates = 16;
        reply->limits.max_length_bars = 256;
        reply->limits.max_length_seconds = 600;
        break;
    case SEGUE_T_LIST_PRIORS:
        reply->type = SEGUE_T_PRIORS;
        reply->priors[0].name = segue_str(d->prior);
        reply->priors[0].levels = d->levels;
        reply->priors[0].sample_rate = 44100;
        reply->priors[0].labels = d->labels;
        if (d->max_quality) {
            reply->priors[0].max_quality = segue_str(d->max_quality);
            reply->priors[0].has_max_quality = 1;
        }
        reply->n_priors = 1;
        break;
    case SEGUE_T_LIST_PRESETS:
        reply->type = SEGUE_T_PRESETS;
        for (int i = 0; i < d->n_presets; i++) {
            reply->presets[i].name = segue_str(d->presets[i]);
            reply->presets[i].prior = segue_str(d->prior);
            reply->presets[i].description = segue_str("a preset of the fake daemon");
        }
        reply->n_presets = (uint32_t)d->n_presets;
        break;
    case SEGUE_T_HEARTBEAT:
        reply->type = SEGUE_T_HEARTBEAT;
        reply->t_ms = (int64_t)now_ms();
        break;
    default:
        free(reply);
        return 1; /* for the test to answer */
    }
    send_to_plugin(d, reply, NULL, 0);
    free(reply);
    return 1;
}

/* One block of host audio: the transport plays on, the input is a quiet ramp. */
static void play_block(host_t *h) {
    segue_host_time_t t = {1, 1, h->frame, 1, (double)h->frame / BAR_FRAMES, BPM, 4, 4};
    for (int i = 0; i < BLOCK; i++) h->in_l[i] = h->in_r[i] = 0.001f * (float)((h->frame + i) % 100);
    const float *in[2] = {h->in_l, h->in_r};
    float *out[2] = {h->out_l, h->out_r};
    segue_core_process(h->e, in, out, BLOCK, &t);
    h->frame += BLOCK;
}

/* Plays a bar and a block, then presses generate (a rising edge) and lets it go. */
static void play_and_fire(host_t *h) {
    for (int b = 0; b < BAR_FRAMES / BLOCK + 1; b++) play_block(h);
    segue_core_set_param(h->e, SEGUE_P_GENERATE, 1);
    play_block(h);
    segue_core_set_param(h->e, SEGUE_P_GENERATE, 0);
    play_block(h);
}

/* Serves the plugin until it sends a message of `type` (decoded into d->msg); 0 on timeout. */
static int wait_for(fake_daemon_t *d, segue_type_t type, int timeout_ms) {
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (now_ms() < end) {
        if (next_request(d, 50) && d->msg.type == type) return 1;
    }
    return 0;
}

/* Serves the plugin until its `state` output reads `state`; 0 on timeout. */
static int wait_state(fake_daemon_t *d, host_t *h, int state, int timeout_ms) {
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (now_ms() < end) {
        if ((int)segue_core_get_param(h->e, SEGUE_P_STATE) == state) return 1;
        next_request(d, 20);
    }
    return 0;
}

static int str_is(segue_str_t s, const char *want) {
    return s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

/* Binds the ROUTER socket on a free loopback port; its endpoint goes into `endpoint`. */
static void fake_daemon_start(fake_daemon_t *d, char *endpoint, size_t cap) {
    d->ctx = zmq_ctx_new();
    d->router = zmq_socket(d->ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(d->router, ZMQ_LINGER, &linger, sizeof linger);
    CHECK(zmq_bind(d->router, "tcp://127.0.0.1:*") == 0);
    zmq_getsockopt(d->router, ZMQ_LAST_ENDPOINT, endpoint, &cap);
}

static void fake_daemon_stop(fake_daemon_t *d) {
    release(d);
    zmq_close(d->router);
    zmq_ctx_term(d->ctx);
}

#endif
