/*
 * lv2_test_host.h: what every test host of the LV2 build needs before it can drive the plugin, made of
 * nothing but the LV2 C API (lv2-dev headers), the way jalv or Ardour set a plugin up:
 *
 *   - a URID map, so the plugin and the host agree on the numbers that stand for URIs;
 *   - the bundle's rsz:minimumSize, the size a conforming host gives the events ports;
 *   - loading the bundle's shared object and finding the plugin's descriptor by its URI;
 *   - the features the plugin asks for at instantiate (URID map, options, worker, bounded block length);
 *   - the ports connected: 4 audio, events in, events out, then the controls;
 *   - tearing it down again.
 *
 * Each part below is set-up or tear-down, never inside run(): the RT-safety proof (lv2_rt_host) counts
 * allocations, locks and system calls only within the descriptor's run(), so what happens here is not counted
 * and may allocate freely. A host includes this once (every function is static); a host keeps what only it
 * needs (a forge, a state store, its own worker) in its own file.
 */
#ifndef SEGUE_LV2_TEST_HOST_H
#define SEGUE_LV2_TEST_HOST_H

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/atom/atom.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/options/options.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#define PLUGIN_URI "urn:segue:shim"
#define N_PORTS 24 /* CONTRACT.md: 4 audio, events in, events out, 18 parameters */
#define N_CONTROLS (N_PORTS - 6)
#define MAX_URIDS 128

/* ---- URID map ------------------------------------------------------------------------------------
 * A URI gets the next number on first sight and keeps it. The plugin maps everything it uses while it
 * is instantiated, so calls from run() only look up (a strcmp loop, no allocation). A full table answers 0,
 * which LV2 defines as "not mapped"; 128 is far more than the plugin and a test host use together. */
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

/* The host's own shorthand for a URI's number. */
static LV2_URID U(const char *uri) { return map_uri(NULL, uri); }

/* ---- the plugin as the host holds it -------------------------------------------------------------
 * The descriptor and instance, the control ports' values (the host owns that memory; the plugin reads and
 * writes it through the pointers given at connect), and the two events buffers of atom_bytes each. */
typedef struct {
    void *lib;
    const LV2_Descriptor *d;
    LV2_Handle h;
    float control[N_PORTS];
    uint8_t *events_in, *events_out;
    uint32_t atom_bytes;
} lv2_plugin_t;

/* The bundle's rsz:minimumSize (the largest, if several ports name one): what a conforming host gives the
 * events ports. Read from the bundle's Turtle by line, since a test host has no RDF parser; 0 if none. */
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

/* ---- loading --------------------------------------------------------------------------------------
 * dlopen the bundle's segue-shim.so, take its first descriptor (the build has one plugin) and check it is
 * ours, then size and allocate the events buffers by the bundle's rsz:minimumSize. A bundle that declares
 * less than `least` bytes is treated as declaring none: the host could not carry its events. Returns 0, or
 * 2 (a set-up failure, told on stderr, that the caller returns from main). */
static int lv2_load(lv2_plugin_t *p, const char *bundle, uint32_t least) {
    char so[4096];
    snprintf(so, sizeof so, "%s/segue-shim.so", bundle);
    p->lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!p->lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 2; }
    LV2_Descriptor_Function entry = (LV2_Descriptor_Function)dlsym(p->lib, "lv2_descriptor");
    p->d = entry ? entry(0) : NULL;
    if (!p->d || strcmp(p->d->URI, PLUGIN_URI) != 0) { fprintf(stderr, "no %s in %s\n", PLUGIN_URI, so); return 2; }
    p->atom_bytes = minimum_atom_bytes(bundle);
    if (p->atom_bytes < least) { fprintf(stderr, "no rsz:minimumSize in the bundle\n"); return 2; }
    p->events_in = calloc(1, p->atom_bytes);
    p->events_out = calloc(1, p->atom_bytes);
    return 0;
}

/* ---- the features given at instantiate --------------------------------------------------------------
 * What jalv and Ardour give a plugin like ours: the URID map; options with the block length (maximum and
 * nominal) and the sample rate, since DPF sizes its buffers from them; the host's worker schedule (the host
 * supplies it: one declines, another runs the work after run()); and boundedBlockLength, the promise that
 * run() never gets more than the maximum. Kept in one struct so the pointers stay valid as long as the
 * plugin may use them (a state restore passes the features again). */
typedef struct {
    int32_t block;
    float rate;
    LV2_Options_Option options[4];
    LV2_Feature map, opt, work, bounded;
    const LV2_Feature *list[5];
} lv2_features_t;

static const LV2_Feature *const *lv2_features(lv2_features_t *f, int32_t block, double rate,
                                              LV2_Worker_Schedule *worker) {
    f->block = block;
    f->rate = (float)rate;
    LV2_URID atom_int = U(LV2_ATOM__Int), atom_float = U(LV2_ATOM__Float);
    f->options[0] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0, U(LV2_BUF_SIZE__maxBlockLength), sizeof f->block,
                                         atom_int, &f->block};
    f->options[1] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0, U(LV2_BUF_SIZE__nominalBlockLength), sizeof f->block,
                                         atom_int, &f->block};
    f->options[2] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0, U("http://lv2plug.in/ns/ext/parameters#sampleRate"),
                                         sizeof f->rate, atom_float, &f->rate};
    f->options[3] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL};
    f->map = (LV2_Feature){LV2_URID__map, &urid_map};
    f->opt = (LV2_Feature){LV2_OPTIONS__options, f->options};
    f->work = (LV2_Feature){LV2_WORKER__schedule, worker};
    f->bounded = (LV2_Feature){LV2_BUF_SIZE__boundedBlockLength, NULL};
    f->list[0] = &f->map;
    f->list[1] = &f->opt;
    f->list[2] = &f->work;
    f->list[3] = &f->bounded;
    f->list[4] = NULL;
    return f->list;
}

/* ---- connecting the ports ------------------------------------------------------------------------
 * Port order is CONTRACT.md's: audio in L/R, audio out L/R, events in, events out, then the 18 controls.
 * `controls` are the values the host starts the control ports at; the last is lv2:enabled as LV2 sees the
 * bypass (1 = not bypassed). */
static void lv2_connect(lv2_plugin_t *p, float *const audio[4], const float controls[N_CONTROLS]) {
    for (uint32_t i = 0; i < 4; i++) p->d->connect_port(p->h, i, audio[i]);
    p->d->connect_port(p->h, 4, p->events_in);
    p->d->connect_port(p->h, 5, p->events_out);
    for (int i = 0; i < N_CONTROLS; i++) {
        p->control[6 + i] = controls[i];
        p->d->connect_port(p->h, (uint32_t)(6 + i), &p->control[6 + i]);
    }
}

/* ---- tearing down ----------------------------------------------------------------------------------
 * deactivate and cleanup as a host closing the plugin does, then the events buffers. The library stays
 * loaded: the plugin's static destructors run at exit, as they would in a host that quits. */
static void lv2_unload(lv2_plugin_t *p) {
    p->d->deactivate(p->h);
    p->d->cleanup(p->h);
    free(p->events_in);
    free(p->events_out);
}

#endif
