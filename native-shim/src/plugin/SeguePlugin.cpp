/*
 * SeguePlugin.cpp: the DPF plugin class. Thin by design: DPF's callbacks are mapped onto the core
 * core (src/core/segue_core.h), which holds all behaviour and is tested without DPF.
 *
 * The same source builds LV2, VST3 and CLAP. Each format reports the transport differently, and
 * DPF 1.6 passes it through TimePosition with some format quirks; host_time() turns it into the
 * core's one convention (timeline samples, 0-based bars, quarter-note tempo). This file is
 * compiled once per format (SEGUE_FORMAT_LV2/VST3/CLAP) for exactly that function.
 */
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "DistrhoPlugin.hpp"
#include "segue_core.h"

START_NAMESPACE_DISTRHO

// ---------------------------------------------------------------------------------------------------
// State keys (strings the host saves with the project)

// lyrics, artist and genre come last, in segue_text_t order, named by the core (segue_text_key) so the
// contract has one spelling of them.
// server_key (the daemon's CurveZMQ public key, for a remote daemon) comes after them.
enum StateKeys { kStateSession = 0, kStateTrack, kStateStemsDir, kStateFirstText,
                 kStateServerKey = kStateFirstText + SEGUE_TEXT_COUNT, kStateCount };
static const char* const kStateServerKeyName = "server_key";
static const char* const kStateKeyNames[kStateFirstText] = { "session", "track", "stems_dir" };

// The song text a state key holds, or SEGUE_TEXT_COUNT for the other keys.
static segue_text_t textOfStateKey(const char* key)
{
    for (int i = 0; i < SEGUE_TEXT_COUNT; ++i)
        if (std::strcmp(key, segue_text_key(static_cast<segue_text_t>(i))) == 0)
            return static_cast<segue_text_t>(i);
    return SEGUE_TEXT_COUNT;
}

class SeguePlugin : public Plugin
{
public:
    SeguePlugin()
        : Plugin(SEGUE_P_COUNT, 0, kStateCount),
          fCore(segue_core_create(nullptr)),
          fHadHostTime(false) {}

    ~SeguePlugin() override { segue_core_destroy(fCore); }

    // For the window (UI thread): it only calls the core's lock-free view and parameter functions.
    segue_core_t* core() const noexcept { return fCore; }

protected:
    // -----------------------------------------------------------------------------------------------
    // Information (any thread)

    const char* getLabel() const override { return "Segue"; }
    const char* getDescription() const override
    {
        return "Captures the last bars while the transport plays, sends them to the Segue daemon, "
               "plays the generated takes in place and writes them as stems.";
    }
    const char* getMaker() const override { return "Segue"; }
    const char* getHomePage() const override { return "https://segue.invalid/"; }
    const char* getLicense() const override { return "ISC"; }
    uint32_t getVersion() const override { return d_version(0, 1, 0); }
    int64_t getUniqueId() const override { return d_cconst('S', 'g', 'u', 'e'); }

    // -----------------------------------------------------------------------------------------------
    // Init (main thread, at instantiation)

    void initAudioPort(bool input, uint32_t index, AudioPort& port) override
    {
        port.groupId = kPortGroupStereo;
        Plugin::initAudioPort(input, index, port);
    }

    void initParameter(uint32_t index, Parameter& parameter) override
    {
        const segue_param_info_t* const info = segue_param_info(index);
        if (info == nullptr)
            return;
        if (index == SEGUE_P_BYPASS)
        {
            // The host's bypass (VST3 kIsBypass, LV2 lv2:enabled inverted by DPF, CLAP's bypass flag).
            parameter.initDesignation(kParameterDesignationBypass);
            parameter.symbol = info->symbol;
            parameter.description = info->description;
            return;
        }
        parameter.hints = info->output ? kParameterIsOutput : kParameterIsAutomatable;
        if (info->integer)
            parameter.hints |= kParameterIsInteger;
        if (info->trigger)
            parameter.hints |= kParameterIsBoolean;
        parameter.name = info->name;
        parameter.symbol = info->symbol;
        parameter.unit = info->unit;
        parameter.description = info->description;
        parameter.ranges.min = info->min;
        parameter.ranges.max = info->max;
        parameter.ranges.def = info->def;
        if (info->labels != nullptr)
        {
            uint32_t count = 0;
            while (info->labels[count] != nullptr)
                ++count;
            ParameterEnumerationValue* const values = new ParameterEnumerationValue[count];
            for (uint32_t i = 0; i < count; ++i)
            {
                values[i].value = static_cast<float>(i);
                values[i].label = info->labels[i];
            }
            parameter.enumValues.count = static_cast<uint8_t>(count);
            parameter.enumValues.restrictedMode = info->max + 1.0f == static_cast<float>(count);
            parameter.enumValues.values = values;
        }
    }

    void initState(uint32_t index, State& state) override
    {
        if (index >= kStateCount)
            return;
        static const char* const labels[kStateCount] = {
            "Segue jobs and stems", "Track name in stem names", "Stems folder",
            "Lyrics (up to 4096 bytes; empty: none)", "Artist (a name the prior knows; empty: none)",
            "Genre (a name the prior knows; empty: none)",
            "Daemon public key for CurveZMQ (Z85, or its server.public file; empty: plain, loopback)",
        };
        state.key = index < kStateFirstText ? kStateKeyNames[index]
                  : index == kStateServerKey ? kStateServerKeyName
                                             : segue_text_key(static_cast<segue_text_t>(index - kStateFirstText));
        state.hints = index == kStateSession ? 0 : kStateIsHostWritable;
        state.label = labels[index];
        state.defaultValue = "";
    }

    // -----------------------------------------------------------------------------------------------
    // Parameters (audio thread or main thread; the core keeps them in atomics)

    float getParameterValue(uint32_t index) const override { return segue_core_get_param(fCore, index); }
    void setParameterValue(uint32_t index, float value) override { segue_core_set_param(fCore, index, value); }

    // -----------------------------------------------------------------------------------------------
    // State (main thread; LV2 patch:Set messages arrive through the host's worker thread, never audio)

    String getState(const char* key) const override
    {
        if (std::strcmp(key, kStateKeyNames[kStateSession]) == 0)
        {
            static const size_t cap = 64 * 1024;
            char* const text = new char[cap];
            segue_core_state_save(fCore, text, cap);
            String value(text);
            delete[] text;
            return value;
        }
        char value[SEGUE_LYRICS_MAX_BYTES + 1];
        const segue_text_t text = textOfStateKey(key);
        if (text != SEGUE_TEXT_COUNT)
            segue_core_get_text(fCore, text, value, sizeof value);
        else if (std::strcmp(key, kStateKeyNames[kStateTrack]) == 0)
            segue_core_get_track(fCore, value, sizeof value);
        else if (std::strcmp(key, kStateKeyNames[kStateStemsDir]) == 0)
            segue_core_get_stems_dir(fCore, value, sizeof value);
        else if (std::strcmp(key, kStateServerKeyName) == 0)
            segue_core_get_server_key(fCore, value, sizeof value);
        else
            value[0] = '\0';
        return String(value);
    }

    void setState(const char* key, const char* value) override
    {
        // An empty lyrics/artist/genre is a value: the producer cleared it. The core refuses (and logs)
        // one the protocol would refuse, keeping the previous value.
        const segue_text_t text = textOfStateKey(key);
        if (text != SEGUE_TEXT_COUNT)
        {
            segue_core_set_text(fCore, text, value);
            return;
        }
        if (std::strcmp(key, kStateServerKeyName) == 0)
        {
            // Empty is a value here too: back to plain ZMTP, unless the environment gives a key.
            segue_core_set_server_key(fCore, value != nullptr && value[0] != '\0' ? value : std::getenv("SEGUE_SERVER_KEY"));
            return;
        }
        if (value == nullptr || value[0] == '\0')
            return;
        if (std::strcmp(key, kStateKeyNames[kStateSession]) == 0)
            segue_core_state_restore(fCore, value);
        else if (std::strcmp(key, kStateKeyNames[kStateTrack]) == 0)
            segue_core_set_track(fCore, value);
        else if (std::strcmp(key, kStateKeyNames[kStateStemsDir]) == 0)
            segue_core_set_stems_dir(fCore, value);
    }

    // -----------------------------------------------------------------------------------------------
    // Lifecycle (main thread)

    void activate() override
    {
        fHadHostTime = false;
        segue_core_activate(fCore, getSampleRate());
    }

    void deactivate() override { segue_core_deactivate(fCore); }

    void sampleRateChanged(double newSampleRate) override
    {
        segue_core_deactivate(fCore);
        segue_core_activate(fCore, newSampleRate);
    }

    // -----------------------------------------------------------------------------------------------
    // Process (audio thread)

    void run(const float** inputs, float** outputs, uint32_t frames) override
    {
        const segue_host_time_t host = hostTime();
        segue_core_process(fCore, inputs, outputs, frames, &host);
    }

private:
    segue_core_t* const fCore;
    bool fHadHostTime; // audio thread: the host has shown a transport since activate

    // The host's transport in the core's convention (audio thread).
    segue_host_time_t hostTime()
    {
        const TimePosition& pos = getTimePosition();
        segue_host_time_t h;
        std::memset(&h, 0, sizeof h);
        // An LV2 host that never reports playing, a position or a tempo map sends no time:Position at
        // all (lv2file and other offline renderers): the core then free-runs from sample 0 at the
        // fallback tempo. VST3 and CLAP hosts always pass their transport (stopped is stopped).
#if defined(SEGUE_FORMAT_LV2)
        if (pos.playing || pos.bbt.valid || pos.frame != 0)
            fHadHostTime = true;
#else
        fHadHostTime = true;
#endif
        h.host_time = fHadHostTime ? 1 : 0;
        h.playing = pos.playing ? 1 : 0;
        h.frame = static_cast<int64_t>(pos.frame);
        h.ts_num = static_cast<int>(pos.bbt.beatsPerBar + 0.5f);
        h.ts_den = static_cast<int>(pos.bbt.beatType + 0.5f);
        h.tempo_bpm = pos.bbt.beatsPerMinute;
        if (!pos.bbt.valid || h.ts_num < 1 || h.ts_den < 1)
            return h;
        const double tick = pos.bbt.ticksPerBeat > 0.0 ? pos.bbt.tick / pos.bbt.ticksPerBeat : 0.0;
#if defined(SEGUE_FORMAT_CLAP)
        // DPF 1.6 fills CLAP's bar/beat from quarter notes as if every beat were a quarter, and
        // passes steady_time (not the song position) as frame: rebuild both from quarters.
        const double quarters = (pos.bbt.bar - 1) * static_cast<double>(h.ts_num) + (pos.bbt.beat - 1) + tick;
        const double quartersPerBar = h.ts_num * 4.0 / h.ts_den;
        h.bar = quarters / quartersPerBar;
        h.frame = static_cast<int64_t>(std::llround(quarters * 60.0 / h.tempo_bpm * getSampleRate()));
#else
        // LV2 and VST3: beats of the meter's note value, frame is the timeline position.
        h.bar = (pos.bbt.bar - 1) + ((pos.bbt.beat - 1) + tick) / pos.bbt.beatsPerBar;
#endif
#if defined(SEGUE_FORMAT_LV2)
        // LV2 hosts give beats of beatUnit per minute; the protocol speaks quarter notes.
        h.tempo_bpm = pos.bbt.beatsPerMinute * 4.0 / pos.bbt.beatType;
#endif
        h.bar_valid = 1;
        return h;
    }

    DISTRHO_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR(SeguePlugin)
};

Plugin* createPlugin()
{
    return new SeguePlugin();
}

// The window's way to the core (SegueUI.cpp, same process: DISTRHO_PLUGIN_WANT_DIRECT_ACCESS). DPF hands
// the UI the Plugin pointer it created above; NULL when the host gave none.
segue_core_t* segueCoreOf(void* pluginInstance)
{
    return pluginInstance != nullptr ? static_cast<SeguePlugin*>(static_cast<Plugin*>(pluginInstance))->core() : nullptr;
}

END_NAMESPACE_DISTRHO
