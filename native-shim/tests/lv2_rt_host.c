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
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/options/options.h>
#include <lv2/time/time.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include "rt_scenario.h"

#define PLUGIN_URI "urn:segue:shim"
#define N_PORTS 24 /* CONTRACT.md: 4 audio, events in, events out, 18 parameters */
#define PORT_STATE 16
#define MAX_URIDS 128

/* ---- URID map (instantiate maps everything the plugin uses; later calls only look up) ------------ */
static char *uris[MAX_URIDS];
static int n_uris;

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri) {
    (void)h;
    for (int i = 0; i < n_uris; i++)
        if (strcmp(uris[i], uri) == 0) return (LV2_URID)(i + 1);
    if (n_uris == MAX_URIDS) return 0;
    uris[n_uris] = strdup(uri);
    return (LV2_URID)++n_uris;
}
static LV2_URID_Map urid_map = {NULL, map_uri};
static LV2_URID U(const char *uri) { return map_uri(NULL, uri); }

/* ---- a worker that declines (the scenario sends no patch:Set, so DPF schedules no work) ---------- */
static LV2_Worker_Status schedule(LV2_Worker_Schedule_Handle h, uint32_t size, const void *data) {
    (void)h; (void)size; (void)data;
    return LV2_WORKER_ERR_NO_SPACE;
}
static LV2_Worker_Schedule worker = {NULL, schedule};

/* ---- the plugin --------------------------------------------------------------------------------- */
typedef struct {
    const LV2_Descriptor *d;
    LV2_Handle h;
    float control[N_PORTS];
    uint8_t *events_in, *events_out;
    uint32_t atom_bytes;
    LV2_Atom_Forge forge;
    struct { LV2_URID position, frame, speed, bar, bar_beat, beat_unit, beats_per_bar, bpm, sequence, chunk; } u;
} plugin_t;

/* The bundle's rsz:minimumSize (the largest): what a conforming host gives the events ports. */
static uint32_t minimum_atom_bytes(const char *bundle) {
    char path[4096];
    snprintf(path, sizeof path, "%s/segue-shim.ttl", bundle);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[512];
    uint32_t best = 0;
    while (fgets(line, sizeof line, f)) {
        const char *at = strstr(line, "rsz:minimumSize");
        unsigned v;
        if (at && sscanf(at, "rsz:minimumSize %u", &v) == 1 && v > best) best = v;
    }
    fclose(f);
    return best;
}

/* Before each block: the transport as a time:Position at frame 0, and an empty chunk for the output. */
static void lv2_prepare(rt_format_t *f, double beats, int64_t sample) {
    plugin_t *p = f->ctx;
    LV2_Atom_Forge *forge = &p->forge;
    lv2_atom_forge_set_buffer(forge, p->events_in, p->atom_bytes);
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
    LV2_Atom_Sequence *out = (LV2_Atom_Sequence *)p->events_out;
    out->atom.type = p->u.chunk;
    out->atom.size = p->atom_bytes - sizeof(LV2_Atom);
}

static int lv2_run(rt_format_t *f) {
    plugin_t *p = f->ctx;
    p->d->run(p->h, RT_BLOCK);
    return 0;
}

static double lv2_state(rt_format_t *f) { return ((plugin_t *)f->ctx)->control[PORT_STATE]; }

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BUNDLE_DIR\n", argv[0]);
        return 2;
    }
    const char *bundle = argv[1];
    char so[4096];
    snprintf(so, sizeof so, "%s/segue-shim.so", bundle);
    void *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 2; }
    LV2_Descriptor_Function entry = (LV2_Descriptor_Function)dlsym(lib, "lv2_descriptor");
    static plugin_t p;
    p.d = entry ? entry(0) : NULL;
    if (!p.d || strcmp(p.d->URI, PLUGIN_URI) != 0) { fprintf(stderr, "no %s in %s\n", PLUGIN_URI, so); return 2; }
    p.atom_bytes = minimum_atom_bytes(bundle);
    if (p.atom_bytes < 256) { fprintf(stderr, "no rsz:minimumSize in the bundle\n"); return 2; }
    p.events_in = calloc(1, p.atom_bytes);
    p.events_out = calloc(1, p.atom_bytes);
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

    int32_t block = RT_BLOCK;
    float rate = (float)RT_RATE;
    LV2_Options_Option options[] = {
        {LV2_OPTIONS_INSTANCE, 0, U(LV2_BUF_SIZE__maxBlockLength), sizeof block, U(LV2_ATOM__Int), &block},
        {LV2_OPTIONS_INSTANCE, 0, U(LV2_BUF_SIZE__nominalBlockLength), sizeof block, U(LV2_ATOM__Int), &block},
        {LV2_OPTIONS_INSTANCE, 0, U("http://lv2plug.in/ns/ext/parameters#sampleRate"), sizeof rate, U(LV2_ATOM__Float), &rate},
        {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL},
    };
    LV2_Feature f_map = {LV2_URID__map, &urid_map}, f_opt = {LV2_OPTIONS__options, options},
                f_work = {LV2_WORKER__schedule, &worker}, f_bounded = {LV2_BUF_SIZE__boundedBlockLength, NULL};
    const LV2_Feature *features[] = {&f_map, &f_opt, &f_work, &f_bounded, NULL};
    p.h = p.d->instantiate(p.d, RT_RATE, bundle, features);
    if (!p.h) { fprintf(stderr, "instantiate failed\n"); return 2; }

    static rt_format_t f;
    f.name = "LV2";
    f.ctx = &p;
    f.prepare = lv2_prepare;
    f.run = lv2_run;
    f.state = lv2_state;
    /* The scenario's settings as control port values: generate, capture_bars 2, generate_bars 8, takes 1,
     * take 1, temperature, preset, monitor take, auto_fire_bar 3, fallback_bpm, (state, progress), tier
     * sketch, extend, cancel, (level, eta), lv2:enabled 1 (not bypassed). */
    static const float controls[N_PORTS - 6] = {0, 2, 8, 1, 1, 0.98f, 0, 1, 3, 120, 0, 0, 0, 0, 0, 0, 0, 1};
    p.d->connect_port(p.h, 0, f.in[0]);
    p.d->connect_port(p.h, 1, f.in[1]);
    p.d->connect_port(p.h, 2, f.out[0]);
    p.d->connect_port(p.h, 3, f.out[1]);
    p.d->connect_port(p.h, 4, p.events_in);
    p.d->connect_port(p.h, 5, p.events_out);
    for (int i = 0; i < N_PORTS - 6; i++) {
        p.control[6 + i] = controls[i];
        p.d->connect_port(p.h, (uint32_t)(6 + i), &p.control[6 + i]);
    }
    p.d->activate(p.h);
    int rc = rt_scenario_main(&f);
    p.d->deactivate(p.h);
    p.d->cleanup(p.h);
    free(p.events_in);
    free(p.events_out);
    return rc;
}
