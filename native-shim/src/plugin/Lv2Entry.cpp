/*
 * Lv2Entry.cpp: the LV2 entry point, around DPF's.
 *
 * WHY: DPF 1.6's LV2 instantiate reads every feature's URI with strcmp and, for a plugin with state,
 * refuses to start without the worker feature. Offline renderers such as lv2file offer no worker, and
 * lv2file 0.95 also passes one feature it never filled in: its URI is whatever its stack held, most often
 * NULL, sometimes the bytes of an old string (seen in a core dump: "RIVATE\0_" as the pointer), and a
 * strcmp on that crashed the plugin before it ever ran. This entry point hands DPF a cleaned feature list:
 * it ends at the first NULL pointer, a NULL URI, or a URI that cannot be read or does not look like one
 * (readable() below), and when the host has no worker, one that
 * declines every request (LV2_WORKER_ERR_UNKNOWN). DPF uses the worker only to apply state sent as
 * atom messages, which only the plugin's window sends, in a host that shows windows and offers a worker;
 * its saved state comes through LV2 state:interface.
 * Everything else is DPF's descriptor as it is.
 */
#include <cstring>
#if defined(__unix__) || defined(__APPLE__)
#include <cerrno>
#include <unistd.h>
#endif

#include "lv2.h"
#include "worker.h"

// DistrhoPluginMain.cpp for LV2 is compiled with -Dlv2_descriptor=dpf_lv2_descriptor.
extern "C" const LV2_Descriptor* dpf_lv2_descriptor(uint32_t index);

namespace {

const int kMaxFeatures = 64;

// Whether a feature's URI can be read and starts as a URI does ("http:", "https:", "urn:"). On POSIX the
// first bytes go through write() to a pipe, which answers EFAULT for memory the process cannot read,
// instead of touching it. Elsewhere only the prefix is checked. Host thread, at instantiation only.
bool readable(const char* uri)
{
#if defined(__unix__) || defined(__APPLE__)
    int fds[2];
    if (pipe(fds) != 0)
        return false;
    ssize_t n = write(fds[1], uri, 6);
    int err = errno;
    close(fds[0]);
    close(fds[1]);
    if (n != 6 || err == EFAULT)
        return false;
#endif
    return std::strncmp(uri, "http:", 5) == 0 || std::strncmp(uri, "https:", 6) == 0 || std::strncmp(uri, "urn:", 4) == 0;
}

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
        if (features[i]->URI == nullptr || !readable(features[i]->URI))
            break; // the end of what the host filled in (see above)
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
