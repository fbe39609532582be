/*
 * DistrhoPluginInfo.h: what DPF needs to know about the Segue plugin at compile time.
 * LV2 URI, CLAP id and VST3 ids are part of native-shim/CONTRACT.md: hosts save projects by them.
 */
#ifndef DISTRHO_PLUGIN_INFO_H_INCLUDED
#define DISTRHO_PLUGIN_INFO_H_INCLUDED

// The brand hosts show is the maker (getMaker: "Segue"). DPF would also write MOD's mod:brand and
// mod:label into the LV2 description, properties lv2_validate cannot check (no MOD spec installed).
#define DISTRHO_PLUGIN_NAME "Segue"
#define DISTRHO_PLUGIN_URI "urn:segue:shim"
#define DISTRHO_PLUGIN_CLAP_ID "dev.segue.shim"

// The window (SegueUI.cpp): NanoVG on OpenGL, in the plugin's own binary so it can read the core's
// lock-free view directly (LV2: instance-access and data-access, which jalv, Ardour and Carla give).
// LV2 and VST3 only. WHY not CLAP: DPF 1.6's CLAP wrapper, once it has a UI, takes a mutex
// (pthread_mutex_trylock) in every process() call to hand the UI's parameter changes to the host, and
// the audio thread must not lock (tests/rt_safety.sh counts 4691 trylocks in one run with it). Its LV2
// and VST3 wrappers hold no mutex at all. Both this file's users must agree: DPF's CLAP main
// (DISTRHO_PLUGIN_TARGET_CLAP) and SeguePlugin.cpp compiled for CLAP (SEGUE_FORMAT_CLAP).
#if defined(DISTRHO_PLUGIN_TARGET_CLAP) || defined(SEGUE_FORMAT_CLAP)
#define DISTRHO_PLUGIN_HAS_UI 0
#else
#define DISTRHO_PLUGIN_HAS_UI 1
#endif
#define DISTRHO_UI_USE_NANOVG 1
#define DISTRHO_PLUGIN_WANT_DIRECT_ACCESS 1
#define DISTRHO_UI_USER_RESIZABLE 0
#define DISTRHO_UI_DEFAULT_WIDTH 900
#define DISTRHO_UI_DEFAULT_HEIGHT 520
#define DISTRHO_PLUGIN_IS_RT_SAFE 1
#define DISTRHO_PLUGIN_NUM_INPUTS 2
#define DISTRHO_PLUGIN_NUM_OUTPUTS 2
#define DISTRHO_PLUGIN_WANT_TIMEPOS 1
#define DISTRHO_PLUGIN_WANT_STATE 1
#define DISTRHO_PLUGIN_WANT_FULL_STATE 1
// LV2 events ports' rsz:minimumSize. WHY: after a state restore DPF 1.6 echoes every host-readable state
// value as a patch:Set on the events output from run(); one that does not fit is retried, with a
// printf, on every block. The longest echo is the lyrics (4096 bytes + 125 of atoms); with the track,
// stems folder (1023), artist and genre (128 each) all restored at once, about 6.2 KB at most.
#define DISTRHO_PLUGIN_MINIMUM_BUFFER_SIZE 8192

#define DISTRHO_PLUGIN_LV2_CATEGORY "lv2:UtilityPlugin"
#define DISTRHO_PLUGIN_VST3_CATEGORIES "Fx|Tools"
#define DISTRHO_PLUGIN_CLAP_FEATURES "audio-effect", "utility", "stereo"

#endif
