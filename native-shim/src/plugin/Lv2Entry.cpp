/*
 * Lv2Entry.cpp: the LV2 entry point, around DPF's.
 *
 * WHY: DPF 1.6's LV2 instantiate reads every feature's URI with strcmp and, for a plugin with state,
 * refuses to start without the worker feature. Some hosts pass a feature with a NULL URI, and
 * offline renderers such as lv2file offer no worker at all (lv2file does both). This entry point
 * hands DPF a cleaned feature list: NULL entries dropped, and when the host has no worker, one that
 * declines every request (LV2_WORKER_ERR_UNKNOWN). DPF uses the worker only to apply state sent as
 * atom messages, which this plugin (no UI) never receives; its state comes through LV2 state:interface.
 * Everything else is DPF's descriptor as it is.
 */
#include <cstring>

#include "lv2.h"
#include "worker.h"

// DistrhoPluginMain.cpp for LV2 is compiled with -Dlv2_descriptor=dpf_lv2_descriptor.
extern "C" const LV2_Descriptor* dpf_lv2_descriptor(uint32_t index);

namespace {

const int kMaxFeatures = 64;

LV2_Worker_Status declineWork(LV2_Worker_Schedule_Handle, uint32_t, const void*)
{
    return LV2_WORKER_ERR_UNKNOWN;
}

LV2_Worker_Schedule gDecliningWorker = { nullptr, declineWork };
const LV2_Feature gDecliningWorkerFeature = { LV2_WORKER__schedule, &gDecliningWorker };

LV2_Descriptor gDescriptor;
const LV2_Descriptor* gDpf = nullptr;

// Host thread that instantiates (LV2 "instantiation class").
LV2_Handle instantiate(const LV2_Descriptor*, double rate, const char* bundle, const LV2_Feature* const* features)
{
    const LV2_Feature* clean[kMaxFeatures + 2];
    int n = 0;
    bool hasWorker = false;
    for (int i = 0; features != nullptr && features[i] != nullptr && n < kMaxFeatures; ++i)
    {
        if (features[i]->URI == nullptr)
            continue;
        hasWorker = hasWorker || std::strcmp(features[i]->URI, LV2_WORKER__schedule) == 0;
        clean[n++] = features[i];
    }
    if (!hasWorker)
        clean[n++] = &gDecliningWorkerFeature;
    clean[n] = nullptr;
    return gDpf->instantiate(gDpf, rate, bundle, clean);
}

} // namespace

extern "C" __attribute__((visibility("default"))) const LV2_Descriptor* lv2_descriptor(uint32_t index)
{
    if (index != 0)
        return nullptr;
    if (gDpf == nullptr)
    {
        gDpf = dpf_lv2_descriptor(0);
        if (gDpf == nullptr)
            return nullptr;
        gDescriptor = *gDpf;
        gDescriptor.instantiate = instantiate;
    }
    return &gDescriptor;
}
