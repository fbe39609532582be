/* test_submit_texts: lyrics, artist and genre set as plugin state reach the daemon in `submit`, and a
 * daemon's refusal of them is shown and survived.
 *
 * The test plays the daemon itself: a ZeroMQ ROUTER socket on a free loopback port, speaking
 * PROTOCOL.md through the same C codec (so every frame the plugin sends is decoded, bounds and all).
 * It drives the core's audio path the way a host does (400 bpm 4/4, 48 kHz, 512-frame blocks) and:
 *   1. sets the three texts, fires, and checks the submit carries them byte for byte;
 *   2. refuses that submit the way the daemon refuses an unknown artist (BAD_MESSAGE naming
 *      request.artist): the plugin's state goes to 6 (error) and its status line carries the reason;
 *   3. clears the artist, changes the lyrics, fires again: the new submit has no artist, the new
 *      lyrics and the same genre; the fake daemon accepts it and returns a one-bar take: the plugin
 *      reaches 5 (ready) and writes the stem, so the refusal cost nothing but that one request. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fake_daemon.h"

int main(void) {
    static fake_daemon_t d = {.prior = "labelled", .levels = 1, .labels = 1, .presets = {"sketch"}, .n_presets = 1};
    char endpoint[256], status[256], stems[] = "/tmp/segue-submit-texts-XXXXXX";
    fake_daemon_start(&d, endpoint, sizeof endpoint);
    CHECK(mkdtemp(stems) != NULL);

    segue_config_t cfg = {endpoint, stems, "vox"};
    static host_t h;
    h.e = segue_core_create(&cfg);
    CHECK(h.e != NULL);
    segue_core_set_param(h.e, SEGUE_P_GENERATE_BARS, 1);
    segue_core_set_param(h.e, SEGUE_P_TAKES, 1);
    segue_core_set_param(h.e, SEGUE_P_MONITOR, 1);
    /* as a host restores a saved project: the state before activate */
    static char lyrics[4097];
    memset(lyrics, 'o', 4096); /* the longest lyrics the protocol takes */
    memcpy(lyrics, "Ünder the 月\n", strlen("Ünder the 月\n"));
    CHECK(segue_core_set_text(h.e, SEGUE_TEXT_LYRICS, lyrics) == 0);
    CHECK(segue_core_set_text(h.e, SEGUE_TEXT_ARTIST, "Nobody Known") == 0);
    CHECK(segue_core_set_text(h.e, SEGUE_TEXT_GENRE, "Jazz") == 0);
    CHECK(segue_core_activate(h.e, RATE) == 0);
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
    segue_core_status_text(h.e, status, sizeof status);
    CHECK(strstr(status, "daemon refused: BAD_MESSAGE: request.artist") != NULL);
    printf("  status after the refusal: %s\n", status);

    /* 3. fixed in the state, fired again: the session goes on */
    CHECK(segue_core_set_text(h.e, SEGUE_TEXT_ARTIST, "") == 0);
    CHECK(segue_core_set_text(h.e, SEGUE_TEXT_LYRICS, "la la la") == 0);
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
    segue_core_status_text(h.e, status, sizeof status);
    CHECK(strstr(status, "job j-texts-1: 1 stems") != NULL);
    printf("  status after the second generation: %s\n", status);
    free(reply);

    segue_core_deactivate(h.e);
    segue_core_destroy(h.e);
    fake_daemon_stop(&d);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", stems);
    CHECK(system(cmd) == 0);
    return CHECK_DONE("test_submit_texts");
}
