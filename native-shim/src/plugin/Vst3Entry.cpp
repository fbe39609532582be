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
 * engine keeps parameters in atomics, so any thread may set one (DPF's cached copy is a plain float that
 * process() also writes for automation: the later write wins, as when automation and a knob move at once).
 * Output and trigger parameters are left to DPF, which refuses them.
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

#include "segue_engine.h"

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

// Audio thread.
v3_result V3_API process(void* self, v3_process_data* data)
{
    if (data == nullptr || data->output_params != nullptr)
        return gDpfProcess(self, data);
    v3_process_data withList = *data;
    withList.output_params = reinterpret_cast<v3_param_changes**>(&gDropChanges.self);
    return gDpfProcess(self, &withList);
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
