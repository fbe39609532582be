/*
 * lv2_rt_host: the RT-safety proof (rt_scenario.h) for the LV2 build, through DPF's LV2 run().
 *
 *   LD_PRELOAD=rt_interpose.so SEGUE_ENDPOINT=tcp://... lv2_rt_host BUNDLE_DIR
 *
 * A host made of the LV2 C API (lv2-dev headers), as jalv or Ardour drive a plugin: URID map, options
 * (the block length), a worker, the events ports at the bundle's rsz:minimumSize, the controls as
 * control ports. The transport reaches the plugin as LV2 hosts send it: a time:Position object (frame,
 * speed, bar, barBeat, beatUnit, beatsPerBar, beatsPerMinute) at the start of every block's events
 * input, forged before the block into the port's buffer (not counted). The counted region is the
 * descriptor's run() alone. Prints the scenario's lines, "rt(LV2): PASS" or "FAIL".
 */
#include <stdlib.h>

#include <lv2/atom/forge.h>
#include <lv2/time/time.h>

#include "lv2_test_host.h"
#include "rt_scenario.h"

#define PORT_STATE 16

/* ---- a worker that declines (the scenario sends no patch:Set, so DPF schedules no work) ---------- */
static LV2_Worker_Status schedule(LV2_Worker_Schedule_Handle h, uint32_t size, const void *data) {
    (void)h; (void)size; (void)data;
    return LV2_WORKER_ERR_NO_SPACE;
}
static LV2_Worker_Schedule worker = {NULL, schedule};

/* ---- the plugin, and the forge and URIDs this host writes the transport with ------------------- */
typedef struct {
    lv2_plugin_t lv2;
    LV2_Atom_Forge forge;
    struct { LV2_URID position, frame, speed, bar, bar_beat, beat_unit, beats_per_bar, bpm, sequence, chunk; } u;
} plugin_t;

/* Before each block: the transport as a time:Position at frame 0, and an empty chunk for the output. */
static void lv2_prepare(rt_format_t *f, double beats, int64_t sample) {
    plugin_t *p = f->ctx;
    LV2_Atom_Forge *forge = &p->forge;
    lv2_atom_forge_set_buffer(forge, p->lv2.events_in, p->lv2.atom_bytes);
    LV2_Atom_Forge_Frame seq, obj;
    lv2_atom_forge_sequence_head(forge, &seq, 0);
    lv2_atom_forge_frame_time(forge, 0);
    lv2_atom_forge_object(forge, &obj, 0, p->u.position);
    double bar = floor(beats / 4.0);
    lv2_atom_forge_key(forge, p->u.frame);
    lv2_atom_forge_long(forge, sample);
    lv2_atom_forge_key(forge, p->u.speed);
    lv2_atom_forge_float(forge, 1.0f);
    lv2_atom_forge_key(forge, p->u.bar);
    lv2_atom_forge_long(forge, (int64_t)bar);
    lv2_atom_forge_key(forge, p->u.bar_beat);
    lv2_atom_forge_float(forge, (float)(beats - bar * 4.0));
    lv2_atom_forge_key(forge, p->u.beat_unit);
    lv2_atom_forge_int(forge, 4);
    lv2_atom_forge_key(forge, p->u.beats_per_bar);
    lv2_atom_forge_float(forge, 4.0f);
    lv2_atom_forge_key(forge, p->u.bpm);
    lv2_atom_forge_float(forge, (float)RT_BPM);
    lv2_atom_forge_pop(forge, &obj);
    lv2_atom_forge_pop(forge, &seq);
    LV2_Atom_Sequence *out = (LV2_Atom_Sequence *)p->lv2.events_out;
    out->atom.type = p->u.chunk;
    out->atom.size = p->lv2.atom_bytes - sizeof(LV2_Atom);
}

static int lv2_run(rt_format_t *f) {
    plugin_t *p = f->ctx;
    p->lv2.d->run(p->lv2.h, RT_BLOCK);
    return 0;
}

static double lv2_state(rt_format_t *f) { return ((plugin_t *)f->ctx)->lv2.control[PORT_STATE]; }

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BUNDLE_DIR\n", argv[0]);
        return 2;
    }
    const char *bundle = argv[1];
    static plugin_t p;
    if (lv2_load(&p.lv2, bundle, 256) != 0) return 2;
    p.u.position = U(LV2_TIME__Position);
    p.u.frame = U(LV2_TIME__frame);
    p.u.speed = U(LV2_TIME__speed);
    p.u.bar = U(LV2_TIME__bar);
    p.u.bar_beat = U(LV2_TIME__barBeat);
    p.u.beat_unit = U(LV2_TIME__beatUnit);
    p.u.beats_per_bar = U(LV2_TIME__beatsPerBar);
    p.u.bpm = U(LV2_TIME__beatsPerMinute);
    p.u.sequence = U(LV2_ATOM__Sequence);
    p.u.chunk = U(LV2_ATOM__Chunk);
    lv2_atom_forge_init(&p.forge, &urid_map);

    static lv2_features_t features;
    p.lv2.h = p.lv2.d->instantiate(p.lv2.d, RT_RATE, bundle, lv2_features(&features, RT_BLOCK, RT_RATE, &worker));
    if (!p.lv2.h) { fprintf(stderr, "instantiate failed\n"); return 2; }

    static rt_format_t f;
    f.name = "LV2";
    f.ctx = &p;
    f.prepare = lv2_prepare;
    f.run = lv2_run;
    f.state = lv2_state;
    /* The scenario's settings as control port values: generate, capture_bars 2, generate_bars 8, takes 1,
     * take 1, temperature, preset, monitor take, auto_fire_bar 3, fallback_bpm, (state, progress), tier
     * sketch, extend, cancel, (level, eta), lv2:enabled 1 (not bypassed). */
    static const float controls[N_CONTROLS] = {0, 2, 8, 1, 1, 0.98f, 0, 1, 3, 120, 0, 0, 0, 0, 0, 0, 0, 1};
    float *const audio[4] = {f.in[0], f.in[1], f.out[0], f.out[1]};
    lv2_connect(&p.lv2, audio, controls);
    p.lv2.d->activate(p.lv2.h);
    int rc = rt_scenario_main(&f);
    lv2_unload(&p.lv2);
    return rc;
}
