/*
 * lv2_state_host: the LV2 build's song texts (lyrics, artist, genre) as an LV2 host handles plugin state,
 * with nothing but the LV2 C API (lv2-dev headers).
 *
 *   lv2_state_host BUNDLE_DIR
 *
 *   1. restore (state:interface) lyrics of 4096 bytes, an artist and a genre, as a host reopening a project;
 *   2. run: DPF echoes each restored host-readable value as a patch:Set on the events output. The
 *      events ports get exactly the bundle's rsz:minimumSize: the longest lyrics must fit there, or
 *      DPF would retry (and print) on the audio thread every block;
 *   3. set the artist with a patch:Set on the events input, as a host's generic UI edits a
 *      patch:writable property (DPF hands it to the host's worker, which this host runs after run());
 *   4. restore an artist of 129 bytes (over the protocol's bound): refused, the previous one stays;
 *   5. save (state:interface): lyrics, the new artist and the genre, byte for byte.
 * No daemon is needed (SEGUE_ENDPOINT points nowhere). Prints "lv2-state: PASS" and exits 0 when all hold.
 */
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>

#include "lv2_test_host.h"

#define BLOCK 512
#define MAX_STATE 16

static int failures;
#define CHECK(cond) do { if (!(cond)) { failures++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)

/* ---- state: what the host stores and hands back ------------------------------------------------ */
typedef struct {
    LV2_URID key, type;
    char *value;
    size_t size;
} stored_t;

typedef struct {
    stored_t item[MAX_STATE];
    int n;
} project_t;

static void project_put(project_t *p, LV2_URID key, const char *value) {
    stored_t *s = &p->item[p->n++];
    s->key = key;
    s->type = U(LV2_ATOM__String);
    s->size = strlen(value) + 1;
    s->value = malloc(s->size);
    memcpy(s->value, value, s->size);
}

static const char *project_get(const project_t *p, const char *key) {
    for (int i = 0; i < p->n; i++)
        if (p->item[i].key == U(key)) return p->item[i].value;
    return NULL;
}

static void project_clear(project_t *p) {
    for (int i = 0; i < p->n; i++) free(p->item[i].value);
    p->n = 0;
}

static LV2_State_Status store(LV2_State_Handle h, uint32_t key, const void *value, size_t size, uint32_t type, uint32_t flags) {
    (void)flags;
    project_t *p = h;
    if (p->n == MAX_STATE) return LV2_STATE_ERR_NO_SPACE;
    stored_t *s = &p->item[p->n++];
    s->key = key;
    s->type = type;
    s->size = size;
    s->value = calloc(1, size + 1);
    memcpy(s->value, value, size);
    return LV2_STATE_SUCCESS;
}

static const void *retrieve(LV2_State_Handle h, uint32_t key, size_t *size, uint32_t *type, uint32_t *flags) {
    project_t *p = h;
    for (int i = 0; i < p->n; i++) {
        if (p->item[i].key != key) continue;
        *size = p->item[i].size;
        *type = p->item[i].type;
        *flags = LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE;
        return p->item[i].value;
    }
    return NULL;
}

/* ---- worker: work scheduled during run() is done right after it (a host's worker thread) ------- */
static uint8_t work_data[65536];
static uint32_t work_size;

static LV2_Worker_Status schedule(LV2_Worker_Schedule_Handle h, uint32_t size, const void *data) {
    (void)h;
    if (size > sizeof work_data || work_size) return LV2_WORKER_ERR_NO_SPACE;
    memcpy(work_data, data, size);
    work_size = size;
    return LV2_WORKER_SUCCESS;
}
static LV2_Worker_Status respond(LV2_Worker_Respond_Handle h, uint32_t size, const void *data) {
    (void)h; (void)size; (void)data;
    return LV2_WORKER_SUCCESS;
}
static LV2_Worker_Schedule worker = {NULL, schedule};

/* One block: events_in holds what the caller forged (or an empty sequence), events_out an empty chunk. */
static void run_block(lv2_plugin_t *p) {
    LV2_Atom_Sequence *out = (LV2_Atom_Sequence *)p->events_out;
    out->atom.type = U(LV2_ATOM__Chunk);
    out->atom.size = p->atom_bytes - sizeof(LV2_Atom);
    p->d->run(p->h, BLOCK);
    const LV2_Worker_Interface *w = p->d->extension_data(LV2_WORKER__interface);
    if (work_size && w) {
        uint32_t size = work_size;
        work_size = 0;
        w->work(p->h, respond, NULL, size, work_data);
    }
    LV2_Atom_Sequence *in = (LV2_Atom_Sequence *)p->events_in;
    in->atom.type = U(LV2_ATOM__Sequence);
    in->atom.size = sizeof(LV2_Atom_Sequence_Body); /* empty again */
}

/* The string a patch:Set on the events output gave `property`, or NULL. */
static const char *echoed(lv2_plugin_t *p, const char *property) {
    const LV2_Atom_Sequence *out = (const LV2_Atom_Sequence *)p->events_out;
    if (out->atom.type != U(LV2_ATOM__Sequence)) return NULL;
    LV2_ATOM_SEQUENCE_FOREACH(out, ev) {
        if (ev->body.type != U(LV2_ATOM__Object)) continue;
        const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
        if (obj->body.otype != U(LV2_PATCH__Set)) continue;
        const LV2_Atom *prop = NULL, *value = NULL;
        lv2_atom_object_get(obj, U(LV2_PATCH__property), &prop, U(LV2_PATCH__value), &value, 0);
        if (prop && prop->type == U(LV2_ATOM__URID) && ((const LV2_Atom_URID *)prop)->body == U(property) && value &&
            value->type == U(LV2_ATOM__String))
            return (const char *)LV2_ATOM_BODY_CONST(value);
    }
    return NULL;
}

/* A patch:Set of `property` to a string, the one event of the next block's events input. */
static void send_patch_set(lv2_plugin_t *p, const char *property, const char *value) {
    LV2_Atom_Forge forge;
    lv2_atom_forge_init(&forge, &urid_map);
    lv2_atom_forge_set_buffer(&forge, p->events_in, p->atom_bytes);
    LV2_Atom_Forge_Frame seq, obj;
    lv2_atom_forge_sequence_head(&forge, &seq, 0);
    lv2_atom_forge_frame_time(&forge, 0);
    lv2_atom_forge_object(&forge, &obj, 0, U(LV2_PATCH__Set));
    lv2_atom_forge_key(&forge, U(LV2_PATCH__property));
    lv2_atom_forge_urid(&forge, U(property));
    lv2_atom_forge_key(&forge, U(LV2_PATCH__value));
    lv2_atom_forge_string(&forge, value, (uint32_t)strlen(value));
    lv2_atom_forge_pop(&forge, &obj);
    lv2_atom_forge_pop(&forge, &seq);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BUNDLE_DIR\n", argv[0]);
        return 2;
    }
    const char *bundle = argv[1];
    setenv("SEGUE_ENDPOINT", "tcp://127.0.0.1:1", 1);
    static lv2_plugin_t p;
    if (lv2_load(&p, bundle, 64) != 0) return 2;
    printf("lv2-state: events ports of %u bytes (rsz:minimumSize)\n", p.atom_bytes);

    static lv2_features_t host_features;
    const LV2_Feature *const *features = lv2_features(&host_features, BLOCK, 48000.0, &worker);
    p.h = p.d->instantiate(p.d, 48000.0, bundle, features);
    if (!p.h) { fprintf(stderr, "instantiate failed\n"); return 2; }
    /* The controls at their defaults (the last is lv2:enabled, 1 = not bypassed); audio in silence. */
    static const float defaults[N_CONTROLS] = {0, 4, 8, 4, 1, 0.98f, 0, 0, 0, 120, 0, 0, 0, 0, 0, 0, 0, 1};
    static float audio[4][BLOCK];
    float *const ports[4] = {audio[0], audio[1], audio[2], audio[3]};
    lv2_connect(&p, ports, defaults);
    LV2_Atom_Sequence *in = (LV2_Atom_Sequence *)p.events_in;
    in->atom.type = U(LV2_ATOM__Sequence);
    in->atom.size = sizeof(LV2_Atom_Sequence_Body);
    p.d->activate(p.h);
    const LV2_State_Interface *state = p.d->extension_data(LV2_STATE__interface);
    if (!state) { fprintf(stderr, "no state:interface\n"); return 2; }

    /* 1. a reopened project */
    static char lyrics[4097];
    memset(lyrics, 'o', 4096);
    memcpy(lyrics, "\xe6\x9c\x88 over the hill\n", strlen("\xe6\x9c\x88 over the hill\n"));
    static project_t project;
    project_put(&project, U(PLUGIN_URI "#lyrics"), lyrics);
    project_put(&project, U(PLUGIN_URI "#artist"), "Someone");
    project_put(&project, U(PLUGIN_URI "#genre"), "rock");
    CHECK(state->restore(p.h, retrieve, &project, 0, features) == LV2_STATE_SUCCESS);

    /* 2. the echo of the restored values fits the events output */
    int lyrics_echoed = 0;
    for (int b = 0; b < 4; b++) {
        run_block(&p);
        const char *e = echoed(&p, PLUGIN_URI "#lyrics");
        if (e) lyrics_echoed += strcmp(e, lyrics) == 0 ? 1 : 100;
    }
    printf("lv2-state: restored lyrics echoed %d time(s) on the events output\n", lyrics_echoed);
    CHECK(lyrics_echoed == 1);

    /* 3. a host edits the artist property */
    send_patch_set(&p, PLUGIN_URI "#artist", "Someone Else");
    run_block(&p);

    /* 4. a value over the protocol's bound: refused, the previous one stays */
    project_clear(&project);
    char long_name[130];
    memset(long_name, 'x', 129);
    long_name[129] = '\0';
    project_put(&project, U(PLUGIN_URI "#artist"), long_name);
    CHECK(state->restore(p.h, retrieve, &project, 0, features) == LV2_STATE_SUCCESS);
    run_block(&p);

    /* 5. the saved project */
    project_clear(&project);
    CHECK(state->save(p.h, store, &project, LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE, features) == LV2_STATE_SUCCESS);
    const char *l = project_get(&project, PLUGIN_URI "#lyrics"), *a = project_get(&project, PLUGIN_URI "#artist"),
               *g = project_get(&project, PLUGIN_URI "#genre");
    CHECK(l && strcmp(l, lyrics) == 0);
    CHECK(a && strcmp(a, "Someone Else") == 0);
    CHECK(g && strcmp(g, "rock") == 0);
    printf("lv2-state: saved artist '%s', genre '%s', lyrics %zu bytes\n", a ? a : "(none)", g ? g : "(none)", l ? strlen(l) : 0);
    project_clear(&project);

    lv2_unload(&p);
    printf("lv2-state: %s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
