/* test_submit_texts: lyrics, artist and genre set as plugin state reach the daemon in `submit`, and a
 * daemon's refusal of them is shown and survived.
 *
 * The test plays the daemon itself: a ZeroMQ ROUTER socket on a free loopback port, speaking
 * PROTOCOL.md through the same C codec (so every frame the plugin sends is decoded, bounds and all).
 * It drives the engine's audio path the way a host does (400 bpm 4/4, 48 kHz, 512-frame blocks) and:
 *   1. sets the three texts, fires, and checks the submit carries them byte for byte;
 *   2. refuses that submit the way the daemon refuses an unknown artist (BAD_MESSAGE naming
 *      request.artist): the plugin's state goes to 6 (error) and its status line carries the reason;
 *   3. clears the artist, changes the lyrics, fires again: the new submit has no artist, the new
 *      lyrics and the same genre; the fake daemon accepts it and returns a one-bar take: the plugin
 *      reaches 5 (ready) and writes the stem, so the refusal cost nothing but that one request. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "check.h"
#include "codec.h"
#include "segue_engine.h"

#define RATE 48000
#define BLOCK 512
#define BPM 400.0
#define BAR_FRAMES 28800 /* one 4/4 bar at 400 bpm and 48 kHz */

typedef struct {
    void *ctx, *router;
    uint8_t peer[256];
    size_t peer_n;
    segue_msg_t msg;          /* the last message the plugin sent, decoded */
    zmq_msg_t parts[3];       /* its frames (the decoded strings point into them) */
    int n_parts;
} fake_daemon_t;

typedef struct {
    segue_engine_t *e;
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
        reply->cap_priors[0] = segue_str("labelled");
        reply->n_cap_priors = 1;
        reply->cap_presets[0] = segue_str("sketch");
        reply->n_cap_presets = 1;
        reply->limits.max_message_bytes = 100663296;
        reply->limits.max_prime_seconds = 60;
        reply->limits.max_candidates = 16;
        reply->limits.max_length_bars = 256;
        reply->limits.max_length_seconds = 600;
        break;
    case SEGUE_T_LIST_PRIORS:
        reply->type = SEGUE_T_PRIORS;
        reply->priors[0].name = segue_str("labelled");
        reply->priors[0].levels = 1;
        reply->priors[0].sample_rate = 44100;
        reply->priors[0].labels = 1;
        reply->n_priors = 1;
        break;
    case SEGUE_T_LIST_PRESETS:
        reply->type = SEGUE_T_PRESETS;
        reply->presets[0].name = segue_str("sketch");
        reply->presets[0].prior = segue_str("labelled");
        reply->presets[0].description = segue_str("the fake daemon's one preset");
        reply->n_presets = 1;
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
    segue_engine_process(h->e, in, out, BLOCK, &t);
    h->frame += BLOCK;
}

/* Plays a bar and a block, then presses generate (a rising edge) and lets it go. */
static void play_and_fire(host_t *h) {
    for (int b = 0; b < BAR_FRAMES / BLOCK + 1; b++) play_block(h);
    segue_engine_set_param(h->e, SEGUE_P_GENERATE, 1);
    play_block(h);
    segue_engine_set_param(h->e, SEGUE_P_GENERATE, 0);
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
        if ((int)segue_engine_get_param(h->e, SEGUE_P_STATE) == state) return 1;
        next_request(d, 20);
    }
    return 0;
}

static int str_is(segue_str_t s, const char *want) {
    return s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

int main(void) {
    static fake_daemon_t d;
    char endpoint[256], status[256], stems[] = "/tmp/segue-submit-texts-XXXXXX";
    size_t len = sizeof endpoint;
    d.ctx = zmq_ctx_new();
    d.router = zmq_socket(d.ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(d.router, ZMQ_LINGER, &linger, sizeof linger);
    CHECK(zmq_bind(d.router, "tcp://127.0.0.1:*") == 0);
    zmq_getsockopt(d.router, ZMQ_LAST_ENDPOINT, endpoint, &len);
    CHECK(mkdtemp(stems) != NULL);

    segue_config_t cfg = {endpoint, stems, "vox"};
    static host_t h;
    h.e = segue_engine_create(&cfg);
    CHECK(h.e != NULL);
    segue_engine_set_param(h.e, SEGUE_P_GENERATE_BARS, 1);
    segue_engine_set_param(h.e, SEGUE_P_TAKES, 1);
    segue_engine_set_param(h.e, SEGUE_P_MONITOR, 1);
    /* as a host restores a saved project: the state before activate */
    static char lyrics[4097];
    memset(lyrics, 'o', 4096); /* the longest lyrics the protocol takes */
    memcpy(lyrics, "Ünder the 月\n", strlen("Ünder the 月\n"));
    CHECK(segue_engine_set_text(h.e, SEGUE_TEXT_LYRICS, lyrics) == 0);
    CHECK(segue_engine_set_text(h.e, SEGUE_TEXT_ARTIST, "Nobody Known") == 0);
    CHECK(segue_engine_set_text(h.e, SEGUE_TEXT_GENRE, "Jazz") == 0);
    CHECK(segue_engine_activate(h.e, RATE) == 0);
    CHECK(wait_state(&d, &h, SEGUE_STATE_IDLE, 5000)); /* connected: hello answered */

    /* 1. the first submit carries all three */
    play_and_fire(&h);
    CHECK(wait_for(&d, SEGUE_T_SUBMIT, 15000));
    const segue_msg_t *m = &d.msg;
    CHECK(m->type == SEGUE_T_SUBMIT);
    CHECK(m->request.has_lyrics && m->request.lyrics.n == 4096 && memcmp(m->request.lyrics.p, lyrics, 4096) == 0);
    CHECK(m->request.has_artist && str_is(m->request.artist, "Nobody Known"));
    CHECK(m->request.has_genre && str_is(m->request.genre, "Jazz"));
    CHECK(str_is(m->request.prior, "labelled") && m->context.sample_rate == RATE && m->audio_bytes > 0);

    /* 2. the daemon refuses it, as for an artist the prior does not know */
    segue_msg_t *reply = calloc(1, sizeof *reply);
    reply->type = SEGUE_T_ERROR;
    reply->req = m->req;
    reply->code = SEGUE_BAD_MESSAGE;
    reply->text = segue_str("request.artist: prior 'labelled': no artist 'Nobody Known'");
    send_to_plugin(&d, reply, NULL, 0);
    CHECK(wait_state(&d, &h, SEGUE_STATE_ERROR, 5000));
    segue_engine_status_text(h.e, status, sizeof status);
    CHECK(strstr(status, "daemon refused: BAD_MESSAGE: request.artist") != NULL);
    printf("  status after the refusal: %s\n", status);

    /* 3. fixed in the state, fired again: the session goes on */
    CHECK(segue_engine_set_text(h.e, SEGUE_TEXT_ARTIST, "") == 0);
    CHECK(segue_engine_set_text(h.e, SEGUE_TEXT_LYRICS, "la la la") == 0);
    play_and_fire(&h);
    CHECK(wait_for(&d, SEGUE_T_SUBMIT, 15000));
    CHECK(!m->request.has_artist);
    CHECK(m->request.has_lyrics && str_is(m->request.lyrics, "la la la"));
    CHECK(m->request.has_genre && str_is(m->request.genre, "Jazz"));
    int64_t req = m->req, start = m->context.prime_start_sample + m->context.frames;
    memset(reply, 0, sizeof *reply);
    reply->type = SEGUE_T_ACCEPTED;
    reply->req = req;
    reply->job = segue_str("j-texts-1");
    send_to_plugin(&d, reply, NULL, 0);
    CHECK(wait_state(&d, &h, SEGUE_STATE_GENERATING, 5000));
    static float take[BAR_FRAMES];
    for (int i = 0; i < BAR_FRAMES; i++) take[i] = 0.25f;
    memset(reply, 0, sizeof *reply);
    reply->type = SEGUE_T_RESULT;
    reply->req = req;
    reply->job = segue_str("j-texts-1");
    reply->sample_rate = RATE;
    reply->channels = 1;
    reply->start_sample = start;
    reply->total_frames = BAR_FRAMES;
    reply->frames = BAR_FRAMES;
    reply->seed = 7;
    send_to_plugin(&d, reply, take, sizeof take);
    memset(reply, 0, sizeof *reply);
    reply->type = SEGUE_T_DONE;
    reply->req = req;
    reply->job = segue_str("j-texts-1");
    reply->candidates = 1;
    send_to_plugin(&d, reply, NULL, 0);
    CHECK(wait_state(&d, &h, SEGUE_STATE_READY, 5000));
    segue_engine_status_text(h.e, status, sizeof status);
    CHECK(strstr(status, "job j-texts-1: 1 stems") != NULL);
    printf("  status after the second generation: %s\n", status);
    free(reply);

    release(&d);
    segue_engine_deactivate(h.e);
    segue_engine_destroy(h.e);
    zmq_close(d.router);
    zmq_ctx_term(d.ctx);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", stems);
    CHECK(system(cmd) == 0);
    return CHECK_DONE("test_submit_texts");
}
