/*
 * Vst3Entry.cpp: the VST3 build's main translation unit: DPF's VST3 wrapper, and its entry point wrapped.
 *
 * WHY 1, output parameters: DPF 1.6 ends every IAudioProcessor::process() with
 * updateParametersFromProcessing(), whose first line is DISTRHO_SAFE_ASSERT_RETURN(outparamsptr != nullptr)
 * -- before it looks at whether any output parameter changed. A host may pass no output-parameter list
 * (the VST3 spec allows it; Steinberg's validator does so in most of its tests), so DPF prints one
 * "assertion failure" line to stderr per process() call: about 24,000 in one validator run. Removing
 * the plugin's output parameters would not change that. Here process() hands DPF an output-parameter
 * list that accepts and drops every change when the host passed none: nothing is printed and nothing
 * is lost (the host did not ask for the values).
 *
 * WHY 2, the controller's parameter values: without a UI, DPF 1.6 makes one object both the component
 * and the edit controller, and its IEditController::setParamNormalized does nothing (only process()
 * changes a value); a host or validator that sets a value on the controller and reads it back gets the
 * old one (the validator's "Parameter Bypass persistence" test fails). Here setParamNormalized sets the
 * value the way DPF's separate controller does (DPF's own _setNormalizedPluginParameterValue): the
 * core keeps parameters in atomics, so any thread may set one (DPF's cached copy is a plain float that
 * process() also writes for automation: the later write wins, as when automation and a knob move at once).
 * Output and trigger parameters are left to DPF, which refuses them.
 *
 * WHY 3, unknown parameter ids: DPF 1.6 stops reading the host's input-parameter list at the first queue
 * whose id is not a parameter (with an assertion line), so the changes after it in that block are lost;
 * Steinberg's validator sends such queues (kNoParamId) in its "Automation, All Parameters" tests. Here
 * process() hands DPF a view of the list without them (an object on the stack, no allocation).
 *
 * How: DPF's interface objects keep their function pointers per object, so the factory's
 * create_instance, the component's query_interface, the audio processor's process and the controller's
 * set_parameter_normalised are replaced on the objects DPF returns, each calling DPF's own function.
 * The replacement process() copies the host's process data (a struct on the stack) and never
 * allocates, locks or waits.
 */
#define GetPluginFactory dpf_GetPluginFactory
#include "DistrhoPluginMain.cpp"
#undef GetPluginFactory

#include "segue_core.h"

namespace {

// ---- an output-parameter list that drops everything (stateless: one shared by every instance) -----

v3_result V3_API noInterface(void*, const v3_tuid, void** iface)
{
    *iface = nullptr;
    return V3_NO_INTERFACE;
}
uint32_t V3_API staticRef(void*) { return 1; }

v3_param_id V3_API queueId(void*) { return 0; }
int32_t V3_API queueCount(void*) { return 0; }
v3_result V3_API queueGet(void*, int32_t, int32_t*, double*) { return V3_INVALID_ARG; }
v3_result V3_API queueAdd(void*, int32_t, double, int32_t* index)
{
    if (index != nullptr)
        *index = 0;
    return V3_OK;
}

struct DropQueue {
    v3_param_value_queue_cpp* self; // the object pointer the host-side API expects (T**)
    v3_param_value_queue_cpp obj;
};
DropQueue gDropQueue;

int32_t V3_API changesCount(void*) { return 0; }
v3_param_value_queue** V3_API changesGet(void*, int32_t) { return nullptr; }
v3_param_value_queue** V3_API changesAdd(void*, v3_param_id*, int32_t* index)
{
    if (index != nullptr)
        *index = 0;
    return reinterpret_cast<v3_param_value_queue**>(&gDropQueue.self);
}

struct DropChanges {
    v3_param_changes_cpp* self;
    v3_param_changes_cpp obj;
};
DropChanges gDropChanges;

void initDropList()
{
    if (gDropChanges.self != nullptr)
        return;
    gDropQueue.obj.query_interface = noInterface;
    gDropQueue.obj.ref = staticRef;
    gDropQueue.obj.unref = staticRef;
    gDropQueue.obj.queue.get_param_id = queueId;
    gDropQueue.obj.queue.get_point_count = queueCount;
    gDropQueue.obj.queue.get_point = queueGet;
    gDropQueue.obj.queue.add_point = queueAdd;
    gDropQueue.self = &gDropQueue.obj;
    gDropChanges.obj.query_interface = noInterface;
    gDropChanges.obj.ref = staticRef;
    gDropChanges.obj.unref = staticRef;
    gDropChanges.obj.changes.get_param_count = changesCount;
    gDropChanges.obj.changes.get_param_data = changesGet;
    gDropChanges.obj.changes.add_param_data = changesAdd;
    gDropChanges.self = &gDropChanges.obj;
}

// ---- DPF's functions, and ours in their place --------------------------------------------------

// Every DPF object of one kind shares the same static function, so one saved pointer each suffices.
v3_result (V3_API* gDpfProcess)(void*, v3_process_data*) = nullptr;
v3_result (V3_API* gDpfComponentQuery)(void*, const v3_tuid, void**) = nullptr;
v3_result (V3_API* gDpfCreateInstance)(void*, const v3_tuid, const v3_tuid, void**) = nullptr;
v3_result (V3_API* gDpfSetNormalized)(void*, v3_param_id, double) = nullptr;

// ---- the host's input-parameter list without queues for ids the plugin does not have -------------------

const int32_t kMaxQueues = 512; // more than any host sends in one block; past it the host's list goes as it is

// A view of the host's list on the audio thread's stack: only the queues whose id is a parameter.
struct KnownChanges {
    v3_param_changes_cpp* self; // first: the object pointer the API passes around (T**)
    v3_param_changes_cpp obj;
    v3_param_changes** host;
    int32_t count;
    int32_t index[kMaxQueues];
};

int32_t V3_API knownCount(void* self) { return static_cast<KnownChanges*>(self)->count; }
v3_param_value_queue** V3_API knownGet(void* self, int32_t idx)
{
    KnownChanges* const k = static_cast<KnownChanges*>(self);
    if (idx < 0 || idx >= k->count)
        return nullptr;
    return v3_cpp_obj(k->host)->get_param_data(k->host, k->index[idx]);
}
v3_param_value_queue** V3_API knownAdd(void* self, v3_param_id* id, int32_t* index)
{
    KnownChanges* const k = static_cast<KnownChanges*>(self);
    return v3_cpp_obj(k->host)->add_param_data(k->host, id, index);
}

// Audio thread. Fills `k` and returns 1 when the host's list has queues for unknown ids (Steinberg's validator
// sends kNoParamId for parameters that cannot be automated): DPF 1.6 asserts on such a queue and stops reading
// the list there, so every later change in that block would be lost.
int filterUnknown(v3_param_changes** host, KnownChanges* k)
{
    const int32_t n = v3_cpp_obj(host)->get_param_count(host);
    if (n <= 0 || n > kMaxQueues)
        return 0;
    const uint32_t known = DISTRHO_NAMESPACE::kVst3InternalParameterCount + SEGUE_P_COUNT;
    k->count = 0;
    for (int32_t i = 0; i < n; ++i)
    {
        v3_param_value_queue** const queue = v3_cpp_obj(host)->get_param_data(host, i);
        if (queue != nullptr && v3_cpp_obj(queue)->get_param_id(queue) < known)
            k->index[k->count++] = i;
    }
    if (k->count == n)
        return 0;
    k->host = host;
    k->obj.query_interface = noInterface;
    k->obj.ref = staticRef;
    k->obj.unref = staticRef;
    k->obj.changes.get_param_count = knownCount;
    k->obj.changes.get_param_data = knownGet;
    k->obj.changes.add_param_data = knownAdd;
    k->self = &k->obj;
    return 1;
}

// Audio thread.
v3_result V3_API process(void* self, v3_process_data* data)
{
    if (data == nullptr)
        return gDpfProcess(self, data);
    KnownChanges known;
    const bool filter = data->input_params != nullptr && filterUnknown(data->input_params, &known);
    if (data->output_params != nullptr && !filter)
        return gDpfProcess(self, data);
    v3_process_data copy = *data;
    if (copy.output_params == nullptr)
        copy.output_params = reinterpret_cast<v3_param_changes**>(&gDropChanges.self);
    if (filter)
        copy.input_params = reinterpret_cast<v3_param_changes**>(&known.self);
    return gDpfProcess(self, &copy);
}

void patchProcessor(void* object)
{
    v3_audio_processor_cpp* const proc = *static_cast<v3_audio_processor_cpp**>(object);
    if (proc->proc.process == process)
        return;
    gDpfProcess = proc->proc.process;
    proc->proc.process = process;
}

#if !DPF_VST3_USES_SEPARATE_CONTROLLER
// Control thread.
v3_result V3_API setNormalized(void* self, v3_param_id id, double normalized)
{
    const segue_param_info_t* const info = segue_param_info(id - DISTRHO_NAMESPACE::kVst3InternalParameterCount);
    DISTRHO_NAMESPACE::dpf_edit_controller* const controller = *static_cast<DISTRHO_NAMESPACE::dpf_edit_controller**>(self);
    DISTRHO_NAMESPACE::PluginVst3* const vst3 = controller->vst3;
    if (info == nullptr || info->output || info->trigger || vst3 == nullptr || !(normalized >= 0.0 && normalized <= 1.0))
        return gDpfSetNormalized(self, id, normalized);
    vst3->_setNormalizedPluginParameterValue(id - DISTRHO_NAMESPACE::kVst3InternalParameterCount, normalized);
    return V3_OK;
}

void patchController(void* object)
{
    v3_edit_controller_cpp* const ctrl = *static_cast<v3_edit_controller_cpp**>(object);
    if (ctrl->ctrl.set_parameter_normalised == setNormalized)
        return;
    gDpfSetNormalized = ctrl->ctrl.set_parameter_normalised;
    ctrl->ctrl.set_parameter_normalised = setNormalized;
}
#endif

v3_result V3_API componentQuery(void* self, const v3_tuid iid, void** iface)
{
    const v3_result result = gDpfComponentQuery(self, iid, iface);
    if (result == V3_OK && iface != nullptr && *iface != nullptr && v3_tuid_match(iid, v3_audio_processor_iid))
        patchProcessor(*iface);
#if !DPF_VST3_USES_SEPARATE_CONTROLLER
    if (result == V3_OK && iface != nullptr && *iface != nullptr && v3_tuid_match(iid, v3_edit_controller_iid))
        patchController(*iface);
#endif
    return result;
}

v3_result V3_API createInstance(void* self, const v3_tuid classId, const v3_tuid iid, void** instance)
{
    const v3_result result = gDpfCreateInstance(self, classId, iid, instance);
    if (result != V3_OK || instance == nullptr || *instance == nullptr)
        return result;
    v3_component_cpp* const comp = *static_cast<v3_component_cpp**>(*instance);
    if (v3_tuid_match(iid, v3_component_iid) || v3_tuid_match(iid, v3_funknown_iid))
    {
        // DPF answers these with its component; the host asks it for the audio processor next.
        if (comp->query_interface != componentQuery)
        {
            gDpfComponentQuery = comp->query_interface;
            comp->query_interface = componentQuery;
        }
    }
    return result;
}

} // namespace

extern "C" __attribute__((visibility("default"))) const void* GetPluginFactory(void)
{
    const void* const factory = dpf_GetPluginFactory();
    if (factory == nullptr)
        return nullptr;
    initDropList();
    v3_plugin_factory_cpp* const obj = *static_cast<v3_plugin_factory_cpp* const*>(factory);
    if (obj->v1.create_instance != createInstance)
    {
        gDpfCreateInstance = obj->v1.create_instance;
        obj->v1.create_instance = createInstance;
    }
    return factory;
}
