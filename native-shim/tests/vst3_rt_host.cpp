/*
 * vst3_rt_host: the RT-safety proof (rt_scenario.h) for the VST3 build, through DPF's
 * IAudioProcessor::process() (and the plugin's own wrapper of it in Vst3Entry.cpp).
 *
 *   LD_PRELOAD=rt_interpose.so SEGUE_ENDPOINT=tcp://... vst3_rt_host BUNDLE.vst3
 *
 * A host made of the VST3 ABI as DPF's own C headers describe it (travesty, in dpf-source; no Steinberg
 * SDK): ModuleEntry, GetPluginFactory, the "Audio Module Class" created as an IComponent, initialised
 * without a host context, stereo buses activated, setupProcessing (real time, 32-bit, 512 frames, 48 kHz),
 * setActive, setProcessing. Every block gets a process context (playing, project time in samples and
 * quarters, bar position, 400 bpm, 4/4) and an output-parameter list (the state is read back from it, as
 * a host shows an output parameter); the scenario's settings go in the first block's input-parameter
 * list, as automation does. Both lists are this file's own objects over fixed arrays: preparing a block
 * allocates nothing, and the counted region is process() alone. Prints the scenario's lines, "rt(VST3):
 * PASS" or "FAIL".
 *
 * The parameter ids: the plugin's parameter i is VST3 id i. (DPF 1.6 would put two internal parameters
 * first with a separate edit controller, but the window's direct access to the plugin instance makes DPF
 * use one object for component and controller, with no internal parameters.) Values are normalised over
 * each parameter's range (segue_param_info, the table the plugin itself uses).
 */
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "travesty/audio_processor.h"
#include "travesty/component.h"
#include "travesty/factory.h"

#include "rt_scenario.h"
#include "segue_core.h"

namespace {

const v3_param_id kFirstParamId = 0; // no internal parameters: one object is component and controller

double normalised(uint32_t index, double plain)
{
    const segue_param_info_t* p = segue_param_info(index);
    return (plain - p->min) / (p->max - p->min);
}

// ---- parameter lists over fixed arrays (the host's side of IParameterChanges / IParamValueQueue) ----

const int kMaxQueues = 32;

struct Queue {
    v3_param_value_queue_cpp* self; // what the plugin holds: a pointer to the interface pointer
    v3_param_value_queue_cpp obj;
    v3_param_id id;
    int points;
    double value; // one point per block at offset 0 is all this host sends or keeps
};

struct Changes {
    v3_param_changes_cpp* self;
    v3_param_changes_cpp obj;
    Queue queue[kMaxQueues];
    int count;
};

v3_result V3_API noInterface(void*, const v3_tuid, void** iface)
{
    *iface = nullptr;
    return V3_NO_INTERFACE;
}
uint32_t V3_API staticRef(void*) { return 1; }

Queue* queueOf(void* self) { return reinterpret_cast<Queue*>(self); } // self is &Queue::self, the first member
Changes* changesOf(void* self) { return reinterpret_cast<Changes*>(self); }

v3_param_id V3_API queueId(void* self) { return queueOf(self)->id; }
int32_t V3_API queuePoints(void* self) { return queueOf(self)->points; }
v3_result V3_API queueGet(void* self, int32_t i, int32_t* offset, double* value)
{
    Queue* q = queueOf(self);
    if (i < 0 || i >= q->points)
        return V3_INVALID_ARG;
    *offset = 0;
    *value = q->value;
    return V3_OK;
}
v3_result V3_API queueAdd(void* self, int32_t, double value, int32_t* index)
{
    Queue* q = queueOf(self);
    q->value = value; // the last value of the block wins, as a host shows it
    q->points = 1;
    if (index != nullptr)
        *index = 0;
    return V3_OK;
}

int32_t V3_API changesCount(void* self) { return changesOf(self)->count; }
v3_param_value_queue** V3_API changesGet(void* self, int32_t i)
{
    Changes* c = changesOf(self);
    return i >= 0 && i < c->count ? reinterpret_cast<v3_param_value_queue**>(&c->queue[i].self) : nullptr;
}
v3_param_value_queue** V3_API changesAdd(void* self, v3_param_id* id, int32_t* index)
{
    Changes* c = changesOf(self);
    for (int i = 0; i < c->count; ++i)
        if (c->queue[i].id == *id)
        {
            if (index != nullptr)
                *index = i;
            return reinterpret_cast<v3_param_value_queue**>(&c->queue[i].self);
        }
    if (c->count == kMaxQueues)
        return nullptr;
    Queue& q = c->queue[c->count];
    q.id = *id;
    q.points = 0;
    if (index != nullptr)
        *index = c->count;
    ++c->count;
    return reinterpret_cast<v3_param_value_queue**>(&q.self);
}

void initChanges(Changes* c)
{
    std::memset(c, 0, sizeof *c);
    c->self = &c->obj;
    c->obj.query_interface = noInterface;
    c->obj.ref = staticRef;
    c->obj.unref = staticRef;
    c->obj.changes.get_param_count = changesCount;
    c->obj.changes.get_param_data = changesGet;
    c->obj.changes.add_param_data = changesAdd;
    for (Queue& q : c->queue)
    {
        q.self = &q.obj;
        q.obj.query_interface = noInterface;
        q.obj.ref = staticRef;
        q.obj.unref = staticRef;
        q.obj.queue.get_param_id = queueId;
        q.obj.queue.get_point_count = queuePoints;
        q.obj.queue.get_point = queueGet;
        q.obj.queue.add_point = queueAdd;
    }
}

// Sets the plugin's parameter `index` to `plain` in this block's input list.
void automate(Changes* c, uint32_t index, double plain)
{
    v3_param_id id = kFirstParamId + index;
    int32_t at;
    v3_param_value_queue** q = changesAdd(c, &id, &at);
    if (q != nullptr)
        queueAdd(q, 0, normalised(index, plain), nullptr);
}

// ---- the plugin under test ---------------------------------------------------------------------------

struct Host {
    v3_component** component;
    v3_audio_processor** processor;
    Changes in, out;
    float* ins[2];
    float* outs[2];
    v3_audio_bus_buffers inBus, outBus;
    v3_process_context ctx;
    v3_process_data data;
    double state; // the last value of the `state` output parameter
};

void prepare(rt_format_t* f, double beats, int64_t sample)
{
    Host* h = static_cast<Host*>(f->ctx);
    h->out.count = 0; // a fresh output list for the block
    std::memset(&h->ctx, 0, sizeof h->ctx);
    h->ctx.state = V3_PROCESS_CTX_PLAYING | V3_PROCESS_CTX_PROJECT_TIME_VALID | V3_PROCESS_CTX_TEMPO_VALID |
                   V3_PROCESS_CTX_BAR_POSITION_VALID | V3_PROCESS_CTX_TIME_SIG_VALID;
    h->ctx.sample_rate = RT_RATE;
    h->ctx.project_time_in_samples = sample;
    h->ctx.continuous_time_in_samples = sample;
    h->ctx.project_time_quarters = beats;
    h->ctx.bar_position_quarters = std::floor(beats / 4.0) * 4.0;
    h->ctx.bpm = RT_BPM;
    h->ctx.time_sig_numerator = 4;
    h->ctx.time_sig_denom = 4;
}

int run(rt_format_t* f)
{
    Host* h = static_cast<Host*>(f->ctx);
    const v3_result r = v3_cpp_obj(h->processor)->process(h->processor, &h->data);
    h->in.count = 0; // the settings went with the first block
    return r == V3_OK ? 0 : -1;
}

// What the plugin sent out in the last block: the state, as a host shows an output parameter (it is sent
// when it changes, so the last value seen is kept).
double state(rt_format_t* f)
{
    Host* h = static_cast<Host*>(f->ctx);
    const segue_param_info_t* p = segue_param_info(SEGUE_P_STATE);
    for (int i = 0; i < h->out.count; ++i)
        if (h->out.queue[i].id == kFirstParamId + SEGUE_P_STATE && h->out.queue[i].points > 0)
            h->state = p->min + h->out.queue[i].value * (p->max - p->min);
    return std::round(h->state);
}

int start(rt_format_t* f)
{
    Host* h = static_cast<Host*>(f->ctx);
    automate(&h->in, SEGUE_P_AUTO_FIRE_BAR, 3);
    automate(&h->in, SEGUE_P_GENERATE_BARS, 8);
    automate(&h->in, SEGUE_P_TAKES, 1);
    automate(&h->in, SEGUE_P_CAPTURE_BARS, 2);
    automate(&h->in, SEGUE_P_MONITOR, 1); // take
    return v3_cpp_obj(h->processor)->set_processing(h->processor, true) == V3_OK ? 0 : 1;
}

void stop(rt_format_t* f)
{
    Host* h = static_cast<Host*>(f->ctx);
    v3_cpp_obj(h->processor)->set_processing(h->processor, false);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2)
    {
        std::fprintf(stderr, "usage: %s BUNDLE.vst3\n", argv[0]);
        return 2;
    }
    char so[4096];
    std::snprintf(so, sizeof so, "%s/Contents/x86_64-linux/segue-shim.so", argv[1]);
    void* lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr)
    {
        std::fprintf(stderr, "dlopen: %s\n", dlerror());
        return 2;
    }
    typedef bool (*module_entry_fn)(void*);
    typedef v3_plugin_factory** (*factory_fn)();
    module_entry_fn entry = reinterpret_cast<module_entry_fn>(dlsym(lib, "ModuleEntry"));
    factory_fn getFactory = reinterpret_cast<factory_fn>(dlsym(lib, "GetPluginFactory"));
    if (entry == nullptr || getFactory == nullptr || !entry(lib))
    {
        std::fprintf(stderr, "no ModuleEntry/GetPluginFactory in %s\n", so);
        return 2;
    }
    v3_plugin_factory** factory = getFactory();
    v3_component** component = nullptr;
    const int32_t classes = v3_cpp_obj(factory)->num_classes(factory);
    for (int32_t i = 0; i < classes && component == nullptr; ++i)
    {
        v3_class_info info;
        if (v3_cpp_obj(factory)->get_class_info(factory, i, &info) == V3_OK &&
            std::strcmp(info.category, "Audio Module Class") == 0)
            v3_cpp_obj(factory)->create_instance(factory, info.class_id, v3_component_iid, reinterpret_cast<void**>(&component));
    }
    if (component == nullptr || v3_cpp_obj_initialize(component, nullptr) != V3_OK)
    {
        std::fprintf(stderr, "no audio module in %s, or it did not initialise\n", so);
        return 2;
    }
    static Host h;
    h.component = component;
    if (v3_cpp_obj_query_interface(component, v3_audio_processor_iid, &h.processor) != V3_OK || h.processor == nullptr)
    {
        std::fprintf(stderr, "the component is no IAudioProcessor\n");
        return 2;
    }
    v3_speaker_arrangement stereo = V3_SPEAKER_L | V3_SPEAKER_R, stereoOut = stereo;
    v3_cpp_obj(h.processor)->set_bus_arrangements(h.processor, &stereo, 1, &stereoOut, 1);
    v3_cpp_obj(component)->activate_bus(component, V3_AUDIO, V3_INPUT, 0, true);
    v3_cpp_obj(component)->activate_bus(component, V3_AUDIO, V3_OUTPUT, 0, true);
    v3_process_setup setup = { V3_REALTIME, V3_SAMPLE_32, RT_BLOCK, RT_RATE };
    if (v3_cpp_obj(h.processor)->setup_processing(h.processor, &setup) != V3_OK ||
        v3_cpp_obj(component)->set_active(component, true) != V3_OK)
    {
        std::fprintf(stderr, "setupProcessing or setActive refused\n");
        return 2;
    }

    static rt_format_t f;
    f.name = "VST3";
    f.ctx = &h;
    f.prepare = prepare;
    f.run = run;
    f.state = state;
    f.start = start;
    f.stop = stop;
    initChanges(&h.in);
    initChanges(&h.out);
    h.ins[0] = f.in[0];
    h.ins[1] = f.in[1];
    h.outs[0] = f.out[0];
    h.outs[1] = f.out[1];
    h.inBus.num_channels = 2;
    h.inBus.channel_buffers_32 = h.ins;
    h.outBus.num_channels = 2;
    h.outBus.channel_buffers_32 = h.outs;
    h.data.process_mode = V3_REALTIME;
    h.data.symbolic_sample_size = V3_SAMPLE_32;
    h.data.nframes = RT_BLOCK;
    h.data.num_input_buses = 1;
    h.data.num_output_buses = 1;
    h.data.inputs = &h.inBus;
    h.data.outputs = &h.outBus;
    h.data.input_params = reinterpret_cast<v3_param_changes**>(&h.in.self);
    h.data.output_params = reinterpret_cast<v3_param_changes**>(&h.out.self);
    h.data.ctx = &h.ctx;
    h.state = -1.0;

    const int rc = rt_scenario_main(&f);
    v3_cpp_obj(component)->set_active(component, false);
    v3_cpp_obj_terminate(component);
    v3_cpp_obj_unref(h.processor);
    v3_cpp_obj_unref(component);
    typedef bool (*module_exit_fn)();
    if (module_exit_fn exit = reinterpret_cast<module_exit_fn>(dlsym(lib, "ModuleExit")))
        exit();
    return rc;
}
