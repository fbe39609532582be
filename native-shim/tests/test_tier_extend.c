/* test_tier_extend: the tier reaches the daemon as request.quality, a tier the daemon refuses is shown in
 * words, and `extend` continues the selected take right after its end.
 *
 * The test plays the daemon (fake_daemon.h: every frame the plugin sends is decoded by the C codec, and
 * must also be exactly the codec's canonical encoding of what it decodes to) with a three-level prior that
 * serves up to draft (its level-1 upsampler, not the level-0 one: max_quality "draft", as the default prior)
 * and the presets "sketch" and "studio", and:
 *   1. tier full with preset sketch: the submit names the prior's "studio" preset (sketch serves only the
 *      sketch tier) and says quality "full" with three temperatures; the daemon refuses it as the real one
 *      refuses a tier whose upsampler it lacks; state 6, and the status and the view carry the reason; the
 *      view says the prior serves two tiers;
 *   2. tier draft with preset studio: quality "draft"; progress at level 1 with an ETA shows as the
 *      `level` (2, counted from 1) and `eta` outputs; previews fill the view's thumbnails; two one-bar
 *      takes arrive and the plugin is ready;
 *   3. take 2 selected, generate_bars 2, an extend pulse: the plugin sends `extend {job, candidate 1,
 *      length_bars 2}`; the daemon's one-candidate job starts at the sample after the take: the stem is
 *      written at its bar (bar 4: the takes start at bar 3), two bars long; playing take 2 from its start gives the take then the
 *      extension, sample for sample; the view shows take 2 three bars long, extended once;
 *   4. a second extend continues the extension (its job, candidate 0); the daemon fails it halfway: state
 *      6; a third gets a result placed one sample off: refused ("does not fit"); a fourth lands and plays
 *      in full, with nothing of the failed one heard;
 *   5. a `cancel` pulse right after a generate: once the daemon's `accepted` names the job, the plugin
 *      sends `cancel` for it, and the takes already here stay (state 5). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fake_daemon.h"
#include "stem_writer.h"

/* A peak on the view's scale, computed here independently: -72..0 dB onto 1..255. */
static int view_peak(float p) {
    return (int)lrint((20.0 * log10(p) + 72.0) / 72.0 * 254.0) + 1;
}

/* The plugin's header frame is byte for byte what the codec makes of the message it decodes to. */
static void check_canonical(fake_daemon_t *d) {
    uint8_t *hdr;
    size_t n;
    CHECK(segue_encode_header(&d->msg, &hdr, &n) == 0);
    CHECK(d->n_parts >= 1 && n == zmq_msg_size(&d->parts[0]) && memcmp(hdr, zmq_msg_data(&d->parts[0]), n) == 0);
    free(hdr);
}

static void reply_simple(fake_daemon_t *d, segue_type_t type, int64_t req, const char *job) {
    segue_msg_t *r = calloc(1, sizeof *r);
    r->type = type;
    r->req = req;
    r->job = segue_str(job);
    r->candidates = 1;
    send_to_plugin(d, r, NULL, 0);
    free(r);
}

/* Sends `frames` of mono audio at `value` as a preview or a result chunk. */
static void reply_audio(fake_daemon_t *d, segue_type_t type, int64_t req, const char *job, int candidate,
                        int64_t start, int64_t total, int64_t offset, int64_t frames, float value) {
    float *audio = malloc((size_t)frames * sizeof(float));
    for (int64_t i = 0; i < frames; i++) audio[i] = value;
    segue_msg_t *r = calloc(1, sizeof *r);
    r->type = type;
    r->req = req;
    r->job = segue_str(job);
    r->candidate = candidate;
    r->sample_rate = RATE;
    r->channels = 1;
    r->offset_frames = offset;
    r->frames = frames;
    r->start_sample = start;
    r->total_frames = total;
    r->seed = 11;
    send_to_plugin(d, r, audio, (size_t)frames * sizeof(float));
    free(r);
    free(audio);
}

/* Serves the plugin until the view's status contains `text`; 0 on timeout. */
static int wait_view(fake_daemon_t *d, host_t *h, const char *text, segue_view_t *v, int timeout_ms) {
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (now_ms() < end) {
        if (segue_core_view(h->e, v) == 0 && strstr(v->status, text)) return 1;
        next_request(d, 20);
    }
    return 0;
}

static void pulse(host_t *h, uint32_t param) {
    segue_core_set_param(h->e, param, 1);
    play_block(h);
    segue_core_set_param(h->e, param, 0);
    play_block(h);
}

int main(void) {
    static fake_daemon_t d = {.prior = "upsampled", .levels = 3, .max_quality = "draft", .labels = 0,
                              .presets = {"sketch", "studio"}, .n_presets = 2};
    char endpoint[256], status[256], stems[] = "/tmp/segue-tier-extend-XXXXXX";
    fake_daemon_start(&d, endpoint, sizeof endpoint);
    CHECK(mkdtemp(stems) != NULL);
    segue_config_t cfg = {endpoint, stems, "vox"};
    static host_t h;
    static segue_view_t v;
    h.e = segue_core_create(&cfg);
    segue_core_set_param(h.e, SEGUE_P_GENERATE_BARS, 1);
    segue_core_set_param(h.e, SEGUE_P_TAKES, 2);
    CHECK(segue_core_activate(h.e, RATE) == 0);
    CHECK(wait_state(&d, &h, SEGUE_STATE_IDLE, 5000));
    CHECK(strcmp(segue_param_info(SEGUE_P_TIER)->symbol, "tier") == 0 && segue_param_info(SEGUE_P_TIER)->labels != NULL);
    CHECK(strcmp(segue_param_info(SEGUE_P_EXTEND)->symbol, "extend") == 0);

    /* 1. full with the sketch preset: sent on the prior's studio preset, refused in words */
    segue_core_set_param(h.e, SEGUE_P_TIER, 2);
    play_and_fire(&h);
    CHECK(wait_for(&d, SEGUE_T_SUBMIT, 15000));
    check_canonical(&d);
    CHECK(str_is(d.msg.request.quality, "full") && str_is(d.msg.request.preset, "studio"));
    CHECK(d.msg.request.n_temperatures == 3); /* full samples every level: one temperature each */
    segue_msg_t *r = calloc(1, sizeof *r);
    r->type = SEGUE_T_ERROR;
    r->req = d.msg.req;
    r->code = SEGUE_BAD_MESSAGE;
    r->text = segue_str("request.quality: 'full' needs upsampler priors that 'upsampled' does not have; it serves 'sketch', 'draft'");
    send_to_plugin(&d, r, NULL, 0);
    free(r);
    CHECK(wait_state(&d, &h, SEGUE_STATE_ERROR, 5000));
    segue_core_status_text(h.e, status, sizeof status);
    CHECK(strstr(status, "daemon refused: BAD_MESSAGE: request.quality: 'full' needs upsampler priors") != NULL);
    CHECK(wait_view(&d, &h, "it serves 'sketch', 'draft'", &v, 2000));
    CHECK(v.online && strcmp(v.prior, "upsampled") == 0 && strcmp(v.preset, "sketch") == 0 && v.prior_levels == 3);
    CHECK(v.prior_tiers == 2); /* the priors reply's max_quality: the window greys full */
    printf("  view status after the refusal: %s\n", v.status);

    /* 2. draft with the studio preset: two one-bar takes, progress with level and ETA, thumbnails */
    segue_core_set_param(h.e, SEGUE_P_TIER, 1);
    segue_core_set_param(h.e, SEGUE_P_PRESET, 1);
    play_and_fire(&h);
    CHECK(wait_for(&d, SEGUE_T_SUBMIT, 15000));
    check_canonical(&d);
    CHECK(str_is(d.msg.request.quality, "draft") && str_is(d.msg.request.preset, "studio"));
    int64_t req = d.msg.req, start = d.msg.context.prime_start_sample + d.msg.context.frames;
    reply_simple(&d, SEGUE_T_ACCEPTED, req, "j-tier-1");
    r = calloc(1, sizeof *r);
    r->type = SEGUE_T_PROGRESS;
    r->req = req;
    r->job = segue_str("j-tier-1");
    r->level = 1;
    r->tokens_done = 10;
    r->tokens_total = 40;
    r->eta_ms = 2500;
    send_to_plugin(&d, r, NULL, 0);
    free(r);
    CHECK(wait_state(&d, &h, SEGUE_STATE_GENERATING, 5000));
    for (int i = 0; i < 20 && segue_core_get_param(h.e, SEGUE_P_LEVEL) != 2.0f; i++) next_request(&d, 20);
    CHECK(segue_core_get_param(h.e, SEGUE_P_LEVEL) == 2.0f);
    CHECK(fabsf(segue_core_get_param(h.e, SEGUE_P_ETA) - 2.5f) < 1e-6f);
    CHECK(fabsf(segue_core_get_param(h.e, SEGUE_P_PROGRESS) - 25.0f) < 1e-4f);
    reply_audio(&d, SEGUE_T_PREVIEW, req, "j-tier-1", 0, start, BAR_FRAMES, 0, BAR_FRAMES / 2, 0.5f);
    uint64_t end = now_ms() + 2000;
    while (now_ms() < end && !(segue_core_view(h.e, &v) == 0 && v.take_covered[0] == BAR_FRAMES / 2)) next_request(&d, 20);
    CHECK(v.n_takes == 2 && v.take_covered[0] == BAR_FRAMES / 2 && v.take_covered[1] == 0);
    CHECK(v.peak[0][0] == view_peak(0.5f) && v.peak[0][SEGUE_VIEW_COLUMNS / 2 - 1] == view_peak(0.5f) && v.peak[0][SEGUE_VIEW_COLUMNS - 1] == 0);
    CHECK(v.peak[1][0] == 0);
    reply_audio(&d, SEGUE_T_RESULT, req, "j-tier-1", 0, start, BAR_FRAMES, 0, BAR_FRAMES, 0.25f);
    reply_audio(&d, SEGUE_T_RESULT, req, "j-tier-1", 1, start, BAR_FRAMES, 0, BAR_FRAMES, 0.5f);
    reply_simple(&d, SEGUE_T_DONE, req, "j-tier-1");
    CHECK(wait_state(&d, &h, SEGUE_STATE_READY, 5000));
    CHECK(wait_view(&d, &h, "job j-tier-1: 2 stems", &v, 2000));
    CHECK(v.take_final[0] && v.take_final[1] && v.peak[0][0] == view_peak(0.25f)); /* final replaced the preview */

    /* 3. extend take 2 by two bars */
    segue_core_set_param(h.e, SEGUE_P_TAKE, 2);
    segue_core_set_param(h.e, SEGUE_P_GENERATE_BARS, 2);
    pulse(&h, SEGUE_P_EXTEND);
    CHECK(wait_for(&d, SEGUE_T_EXTEND, 5000));
    check_canonical(&d);
    CHECK(str_is(d.msg.job, "j-tier-1") && d.msg.candidate == 1 && d.msg.has_length_bars && d.msg.length_bars == 2.0);
    req = d.msg.req;
    reply_simple(&d, SEGUE_T_ACCEPTED, req, "j-ext-1");
    reply_audio(&d, SEGUE_T_RESULT, req, "j-ext-1", 0, start + BAR_FRAMES, 2 * BAR_FRAMES, 0, 2 * BAR_FRAMES, 0.75f);
    reply_simple(&d, SEGUE_T_DONE, req, "j-ext-1");
    CHECK(wait_view(&d, &h, "j-ext-1: take 2 extended from bar 4", &v, 5000));
    CHECK((int)segue_core_get_param(h.e, SEGUE_P_STATE) == SEGUE_STATE_READY);
    printf("  view status after the extension: %s\n", v.status);
    CHECK(v.take_frames[1] == 3 * BAR_FRAMES && v.take_extended[1] == 1 && v.take_frames[0] == BAR_FRAMES);
    CHECK(v.take_first_frames[1] == BAR_FRAMES && v.take_first_frames[0] == BAR_FRAMES);
    CHECK(v.peak[1][0] == view_peak(0.5f) && v.peak[1][SEGUE_VIEW_COLUMNS - 1] == view_peak(0.75f) && v.peak[0][SEGUE_VIEW_COLUMNS - 1] == 0);
    /* what the window drags out of take 2's card: the generation's own stem (bar 3), written and on disk;
     * nothing for a take the job does not have, an extension's job or an unknown job */
    char dragged[1400], want[1400];
    CHECK(strcmp(v.job, "j-tier-1") == 0);
    CHECK(segue_core_take_stem(h.e, v.job, 2, dragged, sizeof dragged) == 0);
    snprintf(want, sizeof want, "%s/vox_bar003_400bpm_take2.wav", stems);
    CHECK(strcmp(dragged, want) == 0);
    CHECK(segue_core_take_stem(h.e, v.job, 1, dragged, sizeof dragged) == 0 && strstr(dragged, "_take1.wav") != NULL);
    CHECK(segue_core_take_stem(h.e, v.job, 3, dragged, sizeof dragged) == -1 && dragged[0] == '\0');
    CHECK(segue_core_take_stem(h.e, "j-ext-1", 1, dragged, sizeof dragged) == -1);
    CHECK(segue_core_take_stem(h.e, "j-none", 1, dragged, sizeof dragged) == -1);
    CHECK(segue_core_take_stem(h.e, v.job, 0, dragged, sizeof dragged) == -1);
    char path[1400];
    snprintf(path, sizeof path, "%s/vox_bar004_400bpm_take2.wav", stems);
    float *audio = NULL;
    uint64_t frames = 0;
    uint32_t channels = 0, rate = 0;
    CHECK(segue_stem_read(path, &audio, &frames, &channels, &rate) == 0);
    CHECK(frames == 2 * BAR_FRAMES && rate == RATE && channels == 1 && audio && fabsf(audio[0] - 0.75f) < 1e-5f &&
          fabsf(audio[2 * frames - 1] - 0.75f) < 1e-5f);
    free(audio);
    /* playing take 2 from its start: the take, then the extension, with no gap and no overlap */
    segue_core_set_param(h.e, SEGUE_P_MONITOR, 1);
    h.frame = start;
    int wrong = 0, blocks = 3 * BAR_FRAMES / BLOCK + 1;
    play_block(&h); /* the relocation block: the transport re-anchors here */
    h.frame = start;
    for (int b = 0; b < blocks; b++) {
        int64_t at = h.frame;
        play_block(&h);
        for (int i = 0; i < BLOCK; i++) {
            int64_t pos = at + i - start;
            float want = pos < BAR_FRAMES ? 0.5f : pos < 3 * BAR_FRAMES ? 0.75f : 0.001f * (float)((at + i) % 100);
            if (fabsf(h.out_l[i] - want) > 1e-6f || fabsf(h.out_r[i] - want) > 1e-6f) wrong++;
        }
    }
    CHECK(wrong == 0);
    printf("  take 2 played from sample %lld: %d samples differ from take + extension\n", (long long)start, wrong);

    /* 4. extend again: from the extension. The daemon fails it halfway (half a bar of results, then an
     * error); the next one gets a result one sample off its place, refused; the one after lands, and
     * plays in full: nothing the failed one left past the take is heard. */
    segue_core_set_param(h.e, SEGUE_P_GENERATE_BARS, 1);
    int64_t next = start + 3 * BAR_FRAMES; /* where take 2 now ends */
    pulse(&h, SEGUE_P_EXTEND);
    CHECK(wait_for(&d, SEGUE_T_EXTEND, 5000));
    CHECK(str_is(d.msg.job, "j-ext-1") && d.msg.candidate == 0 && d.msg.length_bars == 1.0);
    req = d.msg.req;
    reply_simple(&d, SEGUE_T_ACCEPTED, req, "j-ext-2");
    reply_audio(&d, SEGUE_T_RESULT, req, "j-ext-2", 0, next, BAR_FRAMES, 0, BAR_FRAMES / 2, 0.1f);
    r = calloc(1, sizeof *r);
    r->type = SEGUE_T_ERROR;
    r->req = req;
    r->job = segue_str("j-ext-2");
    r->code = SEGUE_INTERNAL;
    r->text = segue_str("the daemon ran out of memory");
    send_to_plugin(&d, r, NULL, 0);
    free(r);
    CHECK(wait_state(&d, &h, SEGUE_STATE_ERROR, 5000));

    pulse(&h, SEGUE_P_EXTEND);
    CHECK(wait_for(&d, SEGUE_T_EXTEND, 5000));
    CHECK(str_is(d.msg.job, "j-ext-1") && d.msg.candidate == 0); /* still from the last extension that landed */
    req = d.msg.req;
    reply_simple(&d, SEGUE_T_ACCEPTED, req, "j-ext-3");
    reply_audio(&d, SEGUE_T_RESULT, req, "j-ext-3", 0, next + 1, BAR_FRAMES, 0, BAR_FRAMES, 0.2f);
    CHECK(wait_view(&d, &h, "does not fit", &v, 5000));
    CHECK((int)segue_core_get_param(h.e, SEGUE_P_STATE) == SEGUE_STATE_ERROR);

    pulse(&h, SEGUE_P_EXTEND);
    CHECK(wait_for(&d, SEGUE_T_EXTEND, 5000));
    CHECK(str_is(d.msg.job, "j-ext-1") && d.msg.candidate == 0);
    req = d.msg.req;
    reply_simple(&d, SEGUE_T_ACCEPTED, req, "j-ext-4");
    reply_audio(&d, SEGUE_T_RESULT, req, "j-ext-4", 0, next, BAR_FRAMES, 0, BAR_FRAMES, 0.3f);
    reply_simple(&d, SEGUE_T_DONE, req, "j-ext-4");
    CHECK(wait_view(&d, &h, "j-ext-4: take 2 extended from bar 6", &v, 5000));
    h.frame = next;
    play_block(&h); /* relocation */
    h.frame = next;
    wrong = 0;
    for (int b = 0; b < BAR_FRAMES / BLOCK; b++) {
        play_block(&h);
        for (int i = 0; i < BLOCK; i++) wrong += fabsf(h.out_l[i] - 0.3f) > 1e-6f;
    }
    CHECK(wrong == 0);
    printf("  after a failed extension, the next one plays: %d samples differ\n", wrong);

    /* 5. cancel: a generation cancelled before the daemon accepted it is cancelled by its job id as soon
     * as `accepted` names it; the takes already here stay (ready) */
    segue_core_set_param(h.e, SEGUE_P_TIER, 0);
    play_and_fire(&h);
    CHECK(wait_for(&d, SEGUE_T_SUBMIT, 15000));
    req = d.msg.req;
    pulse(&h, SEGUE_P_CANCEL);
    CHECK(wait_view(&d, &h, "cancelled", &v, 2000));
    reply_simple(&d, SEGUE_T_ACCEPTED, req, "j-cancel-1");
    CHECK(wait_for(&d, SEGUE_T_CANCEL, 5000));
    check_canonical(&d);
    CHECK(str_is(d.msg.job, "j-cancel-1"));
    CHECK((int)segue_core_get_param(h.e, SEGUE_P_STATE) == SEGUE_STATE_READY);

    segue_core_deactivate(h.e);
    segue_core_destroy(h.e);
    fake_daemon_stop(&d);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", stems);
    CHECK(system(cmd) == 0);
    return CHECK_DONE("test_tier_extend");
}
