/*
 * SegueUI.cpp: the plugin window (DPF's UI layer, NanoVG on OpenGL), 900x520 by default.
 *
 * What it shows, top to bottom: the daemon's state and the chosen preset and prior; the controls (tier,
 * bars to capture, bars to generate, takes, generate, cancel); the progress with its level and ETA; the
 * takes as waveform thumbnails that fill in as previews stream; then take selection, A/B against dry,
 * extend, and the status line (errors in words); the plugin's CurveZMQ client key (C copies it to the
 * clipboard, for the daemon's clients/ folder); the keys.
 *
 * Where its data comes from, all on the host's UI thread:
 *   - parameters (the controls, and the outputs state/progress/level/eta) through DPF's parameterChanged;
 *   - the texts and thumbnails from the core's view (segue_core_view: a seqlock the client thread
 *     publishes; lock-free, it never meets the audio thread). The core is reached through
 *     DISTRHO_PLUGIN_WANT_DIRECT_ACCESS (the plugin instance in the same process).
 * It changes the plugin only through setParameterValue, as a host's automation would; the triggers
 * (generate, extend, cancel) are pulses: 1, then 0 again 120 ms later, so the audio thread sees the edge.
 *
 * Keys (LayoutDump also writes them into the layout file): Tab / Shift+Tab move the focus; Left/Right
 * (or Up/Down, - and +) change the focused control; Space or Enter activates it; G generate, Esc cancel,
 * 1-9 select a take, A toggles A/B (take against dry), E extends the selected take, T cycles the tier,
 * C copies the client key (X11 CLIPBOARD, through DPF's setClipboard).
 *
 * Dragging a take out (X11): a press on a take card whose stem is on disk, then a move of more than
 * kDragPixels, drags that stem as a file (XdndSource.hpp: XDND on a connection of its own, driven from
 * the idle callback); a release over a window that takes file drops drops it there, Escape or a release
 * anywhere else ends it with nothing dropped.
 *
 * Test hook: with SEGUE_UI_LAYOUT=<file> in the environment, the window writes its layout there (the
 * X11 window id, each region's name and rectangle, and what it shows) every time it draws, so a test
 * can compare a screenshot with what the window says it drew.
 *
 * One file of about 700 lines because DPF gives a plugin one UI class: the drawing, the keys and the
 * focus all read the same regions and controls, in the order the window draws them.
 */
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "DistrhoUI.hpp"
#include "XdndSource.hpp"
#include "segue_core.h"

#if !defined(_WIN32)
#include <climits> // PATH_MAX, for realpath
#endif

START_NAMESPACE_DISTRHO

segue_core_t* segueCoreOf(void* pluginInstance); // SeguePlugin.cpp

namespace {

// ---------------------------------------------------------------------------------------------------
// Regions: every rectangle the window draws and a test can look for

enum Region {
    kHeader = 0, kStatePill, kTier, kCaptureBars, kGenerateBars, kTakes, kGenerate, kCancel,
    kProgress, kTakeGrid, kAB, kExtend, kStatusLine, kClientKey, kKeysLine, kRegionCount
};
const char* const kRegionNames[kRegionCount] = {
    "header", "state", "tier", "capture_bars", "generate_bars", "takes", "generate", "cancel",
    "progress", "take_grid", "ab", "extend", "status", "client_key", "keys"
};

// The focus order for Tab: controls only (regions that react to keys).
const Region kFocusOrder[] = { kTier, kCaptureBars, kGenerateBars, kTakes, kGenerate, kCancel, kTakeGrid, kAB, kExtend, kClientKey };
const int kFocusCount = sizeof(kFocusOrder) / sizeof(kFocusOrder[0]);

struct Box { float x, y, w, h; bool contains(double px, double py) const { return px >= x && px < x + w && py >= y && py < y + h; } };

const char* const kStateNames[] = { "offline", "idle", "capturing", "sending", "generating", "ready", "error" };

// Colours: a dark studio palette; one accent per meaning.
struct Rgb { int r, g, b; };
const Rgb kBackground = { 22, 24, 29 }, kPanel = { 32, 36, 44 }, kPanelHi = { 44, 50, 61 }, kText = { 226, 230, 236 },
          kDim = { 140, 148, 160 }, kAccent = { 90, 169, 255 }, kFocus = { 255, 196, 84 }, kGood = { 76, 201, 140 },
          kWarn = { 240, 170, 60 }, kBad = { 236, 88, 88 }, kViolet = { 160, 120, 250 }, kWave = { 84, 214, 196 },
          kWavePreview = { 70, 130, 150 };
const Rgb kStateColours[] = { { 110, 116, 128 }, { 96, 125, 160 }, { 60, 180, 170 }, kWarn, kViolet, kGood, kBad };

// A press on a take card becomes a drag once the pointer has moved this far (a click stays a selection).
const double kDragPixels = 6.0;

double nowSeconds()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

} // namespace

class SegueUI : public UI
{
public:
    SegueUI()
        : UI(DISTRHO_UI_DEFAULT_WIDTH, DISTRHO_UI_DEFAULT_HEIGHT),
          fCore(segueCoreOf(getPluginInstancePointer())),
          fHaveView(false),
          fFocus(0),
          fLastWet(1.0f),
          fLayoutFile(std::getenv("SEGUE_UI_LAYOUT"))
    {
        for (uint32_t i = 0; i < SEGUE_P_COUNT; ++i)
            fParam[i] = segue_param_info(i)->def;
        for (int i = 0; i < SEGUE_P_COUNT; ++i)
            fPulseEnd[i] = 0.0;
        std::memset(&fView, 0, sizeof fView);
        fClientKey[0] = fClientKeyFile[0] = '\0';
        // The user's key pair is read, or made on first use, here on the UI thread (files, never audio), so
        // the key can be handed to the daemon's operator before any daemon key is set.
        if (fCore != nullptr)
            segue_core_client_key(fCore, fClientKey, sizeof fClientKey, fClientKeyFile, sizeof fClientKeyFile);
        loadSharedResources();
        layout();
    }

protected:
    // -----------------------------------------------------------------------------------------------
    // From the host (UI thread)

    void parameterChanged(uint32_t index, float value) override
    {
        if (index >= SEGUE_P_COUNT)
            return;
        fParam[index] = value;
        if (index == SEGUE_P_MONITOR && value > 0.5f)
            fLastWet = value;
        repaint();
    }

    void stateChanged(const char*, const char*) override {}

    // Every host idle tick: ends trigger pulses, takes a fresh view when the client thread published one.
    void uiIdle() override
    {
        const double now = nowSeconds();
        for (uint32_t i = 0; i < SEGUE_P_COUNT; ++i)
        {
            if (fPulseEnd[i] > 0.0 && now >= fPulseEnd[i])
            {
                fPulseEnd[i] = 0.0;
                setParameterValue(i, 0.0f);
                fParam[i] = 0.0f;
            }
        }
        // A drag of a take's stem goes on (and a target converting the selection after it gets its answer).
        const bool dragging = fDrag.active();
        fDrag.idle();
        if (dragging && !fDrag.active())
            repaint(); // the drag ended: the layout hook reports how
        if (fCopiedAt > 0.0 && now - fCopiedAt >= 3.0)
        {
            fCopiedAt = -10.0; // "copied to the clipboard" has been shown long enough
            repaint();
        }
        if (fCore != nullptr)
        {
            segue_view_t view;
            if (segue_core_view(fCore, &view) == 0 && (!fHaveView || view.serial != fView.serial))
            {
                fView = view;
                fHaveView = true;
                repaint();
            }
            // The outputs, straight from the core's atomics: hosts pass output parameters to a UI at
            // their own pace (some not at all while the transport is stopped).
            for (uint32_t i : { (uint32_t)SEGUE_P_STATE, (uint32_t)SEGUE_P_PROGRESS, (uint32_t)SEGUE_P_LEVEL, (uint32_t)SEGUE_P_ETA })
            {
                const float v = segue_core_get_param(fCore, i);
                if (v != fParam[i])
                {
                    fParam[i] = v;
                    repaint();
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------------
    // Input (UI thread)

    bool onKeyboard(const KeyboardEvent& ev) override
    {
        if (!ev.press)
            return false;
        const uint key = ev.key;
        if (key == '\t')
        {
            fFocus = (fFocus + ((ev.mod & kModifierShift) ? kFocusCount - 1 : 1)) % kFocusCount;
        }
        else if (key == kKeyLeft || key == kKeyDown || key == '-')
            step(kFocusOrder[fFocus], -1);
        else if (key == kKeyRight || key == kKeyUp || key == '+' || key == '=')
            step(kFocusOrder[fFocus], +1);
        else if (key == ' ' || key == '\r' || key == '\n')
            activate(kFocusOrder[fFocus]);
        else if (key == 'g' || key == 'G')
            pulse(SEGUE_P_GENERATE);
        else if (key == kKeyEscape && fDrag.active())
            fDrag.cancel(); // Escape ends a drag first; the next one cancels the job
        else if (key == kKeyEscape)
            pulse(SEGUE_P_CANCEL);
        else if (key >= '1' && key <= '9')
            selectTake(static_cast<int>(key - '0'));
        else if (key == 'a' || key == 'A')
            toggleAB();
        else if (key == 'e' || key == 'E')
            pulse(SEGUE_P_EXTEND);
        else if (key == 't' || key == 'T')
            set(SEGUE_P_TIER, std::fmod(fParam[SEGUE_P_TIER] + 1.0f, 3.0f));
        else if (key == 'c' || key == 'C')
            copyClientKey();
        else
            return false;
        repaint();
        return true;
    }

    bool onMouse(const MouseEvent& ev) override
    {
        if (!ev.press && ev.button == 1)
        {
            fPressedCard = 0;
            if (fDrag.active())
            {
                fDrag.release();
                return true;
            }
            return false;
        }
        if (!ev.press || ev.button != 1)
            return false;
        const double x = ev.pos.getX(), y = ev.pos.getY();
        for (int f = 0; f < kFocusCount; ++f)
        {
            const Region r = kFocusOrder[f];
            const Box& b = fBox[r];
            if (!b.contains(x, y))
                continue;
            fFocus = f;
            if (r == kTier)
                set(SEGUE_P_TIER, std::floor((x - b.x) / (b.w / 3.0f)));
            else if (r == kCaptureBars || r == kGenerateBars || r == kTakes)
                step(r, x < b.x + b.w / 2 ? -1 : +1);
            else if (r == kTakeGrid)
            {
                for (int k = 0; k < fCards; ++k)
                    if (fCard[k].contains(x, y))
                    {
                        selectTake(k + 1);
                        fPressedCard = k + 1; // a drag may start from here
                        fPressX = x;
                        fPressY = y;
                    }
            }
            else
                activate(r);
            repaint();
            return true;
        }
        return false;
    }

    // While the button is down after a press on a take card: past kDragPixels, that take's stem is dragged
    // out (when it is on disk; a take still streaming has none yet). The press's implicit pointer grab
    // keeps these coming wherever the pointer goes, outside the window too.
    bool onMotion(const MotionEvent& ev) override
    {
        if (fPressedCard == 0 || fDrag.active())
            return false;
        const double dx = ev.pos.getX() - fPressX, dy = ev.pos.getY() - fPressY;
        if (dx * dx + dy * dy < kDragPixels * kDragPixels)
            return false;
        const int take = fPressedCard;
        fPressedCard = 0;
        char stem[1024];
        if (fCore == nullptr || !fHaveView ||
            segue_core_take_stem(fCore, fView.job, static_cast<uint32_t>(take), stem, sizeof stem) != 0)
            return false;
#if !defined(_WIN32)
        char absolute[PATH_MAX];
        if (realpath(stem, absolute) == nullptr) // a relative stems folder: the target needs the whole path
            return false;
#else
        const char* const absolute = stem;
#endif
        if (fDrag.begin(absolute))
        {
            fDragTake = take;
            std::snprintf(fDragFile, sizeof fDragFile, "%s", absolute);
            repaint();
        }
        return true;
    }

    // -----------------------------------------------------------------------------------------------
    // Drawing (UI thread)

    void onNanoDisplay() override
    {
        layout();
        const int state = static_cast<int>(fParam[SEGUE_P_STATE] + 0.5f);
        const int safeState = state >= 0 && state <= 6 ? state : 0;

        fill(Box { 0, 0, (float)getWidth(), (float)getHeight() }, kBackground, 0);
        drawHeader(safeState);
        drawControls();
        drawProgress(safeState);
        drawTakes();
        drawBottom();
        dumpLayout(safeState);
    }

private:
    segue_core_t* const fCore; // NULL when the host gave no instance access
    segue_view_t fView;
    bool fHaveView;
    float fParam[SEGUE_P_COUNT];
    double fPulseEnd[SEGUE_P_COUNT];
    int fFocus;
    float fLastWet; // the monitor mode A/B returns to (take or both)
    Box fBox[kRegionCount];
    Box fCard[16];
    int fCards = 0;
    const char* const fLayoutFile;
    char fClientKey[64];       // the CurveZMQ public key this plugin presents (40 Z85 characters), "" unknown
    char fClientKeyFile[1024]; // its client.public file, for the daemon's clients/ folder
    int fCopies = 0;           // times the key went to the clipboard (the layout hook reports it)
    double fCopiedAt = -10.0;  // when, to say "copied" for a moment
    XdndSource fDrag;          // a take's stem dragged out of the window (X11)
    int fPressedCard = 0;      // 1 + the take card the button went down on, while it is down; 0 none
    double fPressX = 0.0, fPressY = 0.0;
    int fDragTake = 0;         // the take last dragged, and its file (the layout hook reports them)
    char fDragFile[4096] = "";

    // --- actions -----------------------------------------------------------------------------------

    void set(uint32_t index, float value)
    {
        const segue_param_info_t* const p = segue_param_info(index);
        value = std::fmax(p->min, std::fmin(p->max, value));
        if (p->integer)
            value = std::round(value);
        fParam[index] = value;
        editParameter(index, true);
        setParameterValue(index, value);
        editParameter(index, false);
    }

    void pulse(uint32_t index)
    {
        set(index, 1.0f);
        fPulseEnd[index] = nowSeconds() + 0.12;
    }

    void selectTake(int take)
    {
        const int n = takeCount();
        if (take >= 1 && (n == 0 || take <= n))
            set(SEGUE_P_TAKE, static_cast<float>(take));
    }

    void toggleAB()
    {
        if (fParam[SEGUE_P_MONITOR] > 0.5f)
        {
            fLastWet = fParam[SEGUE_P_MONITOR];
            set(SEGUE_P_MONITOR, 0.0f);
        }
        else
            set(SEGUE_P_MONITOR, fLastWet);
    }

    void step(Region r, int by)
    {
        switch (r)
        {
        case kTier: set(SEGUE_P_TIER, fParam[SEGUE_P_TIER] + by); break;
        case kCaptureBars: set(SEGUE_P_CAPTURE_BARS, fParam[SEGUE_P_CAPTURE_BARS] + by); break;
        case kGenerateBars: set(SEGUE_P_GENERATE_BARS, fParam[SEGUE_P_GENERATE_BARS] + by); break;
        case kTakes: set(SEGUE_P_TAKES, fParam[SEGUE_P_TAKES] + by); break;
        case kTakeGrid: selectTake(static_cast<int>(fParam[SEGUE_P_TAKE]) + by); break;
        default: break;
        }
    }

    void activate(Region r)
    {
        switch (r)
        {
        case kGenerate: pulse(SEGUE_P_GENERATE); break;
        case kCancel: pulse(SEGUE_P_CANCEL); break;
        case kAB: toggleAB(); break;
        case kExtend: pulse(SEGUE_P_EXTEND); break;
        case kTier: set(SEGUE_P_TIER, std::fmod(fParam[SEGUE_P_TIER] + 1.0f, 3.0f)); break;
        case kClientKey: copyClientKey(); break;
        default: step(r, +1); break;
        }
    }

    // The client key onto the X11 CLIPBOARD (pugl owns the selection for this window and answers a paste
    // from its event loop, which the host's idle ticks run), as UTF-8 text.
    void copyClientKey()
    {
        if (fClientKey[0] == '\0')
            return;
        if (setClipboard("text/plain", fClientKey, std::strlen(fClientKey)))
        {
            ++fCopies;
            fCopiedAt = nowSeconds();
        }
    }

    int takeCount() const { return fHaveView ? static_cast<int>(fView.n_takes) : 0; }

    // --- layout ------------------------------------------------------------------------------------

    void layout()
    {
        const float W = getWidth(), H = getHeight(), m = 16.0f;
        fBox[kHeader] = { 0, 0, W, 56 };
        fBox[kStatePill] = { W - m - 150, 14, 150, 28 };
        const float cy = 70, ch = 64;
        fBox[kTier] = { m, cy, 240, ch };
        fBox[kCaptureBars] = { m + 252, cy, 116, ch };
        fBox[kGenerateBars] = { m + 380, cy, 116, ch };
        fBox[kTakes] = { m + 508, cy, 96, ch };
        fBox[kGenerate] = { m + 616, cy, 140, ch };
        fBox[kCancel] = { W - m - 108, cy, 108, ch };
        fBox[kProgress] = { m, 146, W - 2 * m, 40 };
        fBox[kTakeGrid] = { m, 198, W - 2 * m, H - 198 - 118 };
        fBox[kAB] = { m, H - 108, 200, 44 };
        fBox[kExtend] = { m + 212, H - 108, 250, 44 };
        fBox[kStatusLine] = { m + 474, H - 108, W - 2 * m - 474, 44 };
        fBox[kClientKey] = { m, H - 58, W - 2 * m, 24 };
        fBox[kKeysLine] = { m, H - 30, W - 2 * m, 22 };

        // Take cards: up to 4 per row.
        const int n = takeCount();
        fCards = n;
        if (n > 0)
        {
            const int cols = n < 4 ? n : 4;
            const int rows = (n + 3) / 4;
            const Box& g = fBox[kTakeGrid];
            const float gap = 10.0f;
            const float cw = (g.w - gap * (cols - 1)) / cols, rh = (g.h - gap * (rows - 1)) / rows;
            for (int k = 0; k < n; ++k)
                fCard[k] = { g.x + (k % 4) * (cw + gap), g.y + (k / 4) * (rh + gap), cw, rh };
        }
    }

    // --- drawing helpers ---------------------------------------------------------------------------

    void colour(const Rgb& c, float alpha = 1.0f) { fillColor(c.r, c.g, c.b, static_cast<int>(alpha * 255)); }

    void fill(const Box& b, const Rgb& c, float radius, float alpha = 1.0f)
    {
        beginPath();
        if (radius > 0)
            roundedRect(b.x, b.y, b.w, b.h, radius);
        else
            rect(b.x, b.y, b.w, b.h);
        colour(c, alpha);
        NanoVG::fill();
    }

    void outline(const Box& b, const Rgb& c, float radius, float width)
    {
        beginPath();
        roundedRect(b.x + width / 2, b.y + width / 2, b.w - width, b.h - width, radius);
        strokeColor(c.r, c.g, c.b, 255);
        strokeWidth(width);
        stroke();
    }

    void label(float x, float y, const char* s, const Rgb& c, float size, int align = ALIGN_LEFT | ALIGN_MIDDLE)
    {
        fontSize(size);
        textAlign(align);
        colour(c);
        text(x, y, s, nullptr);
    }

    bool focused(Region r) const { return kFocusOrder[fFocus] == r; }

    void panel(Region r, bool hot = false)
    {
        fill(fBox[r], hot ? kPanelHi : kPanel, 8);
        if (focused(r))
            outline(fBox[r], kFocus, 8, 2);
    }

    // --- sections ----------------------------------------------------------------------------------

    void drawHeader(int state)
    {
        const Box& h = fBox[kHeader];
        fill(h, { 28, 31, 38 }, 0);
        label(16, 28, "Segue", kText, 24);
        char line[640];
        if (!fHaveView)
            std::snprintf(line, sizeof line, "%s", fCore ? "waiting for the plugin's client thread" : "no access to the plugin instance: parameters only");
        else if (fView.preset[0])
            std::snprintf(line, sizeof line, "preset %s  ·  prior %s (%d level%s)  ·  %s", fView.preset, fView.prior,
                          fView.prior_levels, fView.prior_levels == 1 ? "" : "s", fView.endpoint);
        else
            std::snprintf(line, sizeof line, "%s  ·  %s", fView.online ? "no presets yet" : "daemon not reached", fView.endpoint);
        const Box& p = fBox[kStatePill];
        scissor(108, 0, p.x - 12 - 108, h.h); // a long endpoint must not run under the state
        label(108, 29, line, kDim, 15);
        resetScissor();
        fill(p, kStateColours[state], 14);
        label(p.x + p.w / 2, p.y + p.h / 2 + 1, kStateNames[state], { 255, 255, 255 }, 15, ALIGN_CENTER | ALIGN_MIDDLE);
    }

    void caption(Region r, const char* s) { label(fBox[r].x + 12, fBox[r].y + 16, s, kDim, 13); }

    void stepper(Region r, const char* name, uint32_t param)
    {
        panel(r);
        caption(r, name);
        const Box& b = fBox[r];
        char v[16];
        std::snprintf(v, sizeof v, "%d", static_cast<int>(fParam[param] + 0.5f));
        label(b.x + b.w / 2, b.y + 42, v, kText, 22, ALIGN_CENTER | ALIGN_MIDDLE);
        label(b.x + 14, b.y + 42, "\xe2\x80\x93", kDim, 20, ALIGN_CENTER | ALIGN_MIDDLE);      // –
        label(b.x + b.w - 14, b.y + 42, "+", kDim, 20, ALIGN_CENTER | ALIGN_MIDDLE);
    }

    void button(Region r, const char* text, const char* key, const Rgb& c, bool enabled)
    {
        const Box& b = fBox[r];
        fill(b, enabled ? c : kPanel, 8, enabled ? 1.0f : 0.8f);
        if (focused(r))
            outline(b, kFocus, 8, 2);
        label(b.x + b.w / 2, b.y + b.h / 2 - (key ? 6 : 0), text, enabled ? Rgb { 255, 255, 255 } : kDim, 17, ALIGN_CENTER | ALIGN_MIDDLE);
        if (key)
            label(b.x + b.w / 2, b.y + b.h / 2 + 15, key, enabled ? Rgb { 235, 240, 255 } : kDim, 12, ALIGN_CENTER | ALIGN_MIDDLE);
    }

    void drawControls()
    {
        panel(kTier);
        caption(kTier, "Tier");
        const Box& t = fBox[kTier];
        static const char* const tiers[3] = { "sketch", "draft", "full" };
        const int tier = static_cast<int>(fParam[SEGUE_P_TIER] + 0.5f);
        for (int i = 0; i < 3; ++i)
        {
            const Box s = { t.x + 8 + i * (t.w - 16) / 3, t.y + 28, (t.w - 16) / 3 - 4, 28 };
            const bool on = i == tier;
            // Greyed: a tier beyond the deepest the prior serves (its max_quality in the daemon's priors).
            const bool unsupported = fHaveView && fView.prior_tiers > 0 && i + 1 > fView.prior_tiers;
            fill(s, on ? kAccent : kBackground, 6);
            label(s.x + s.w / 2, s.y + s.h / 2 + 1, tiers[i], on ? Rgb { 255, 255, 255 } : unsupported ? Rgb { 90, 96, 106 } : kText, 14,
                  ALIGN_CENTER | ALIGN_MIDDLE);
        }
        stepper(kCaptureBars, "Capture bars", SEGUE_P_CAPTURE_BARS);
        stepper(kGenerateBars, "Generate bars", SEGUE_P_GENERATE_BARS);
        stepper(kTakes, "Takes", SEGUE_P_TAKES);
        const int state = static_cast<int>(fParam[SEGUE_P_STATE] + 0.5f);
        const bool busy = state == SEGUE_STATE_SENDING || state == SEGUE_STATE_GENERATING;
        button(kGenerate, "Generate", "G", kAccent, state != SEGUE_STATE_OFFLINE);
        button(kCancel, "Cancel", "Esc", kBad, busy);
    }

    void drawProgress(int state)
    {
        const Box& b = fBox[kProgress];
        fill(b, kPanel, 8);
        const float progress = std::fmax(0.0f, std::fmin(100.0f, fParam[SEGUE_P_PROGRESS]));
        const bool busy = state == SEGUE_STATE_SENDING || state == SEGUE_STATE_GENERATING;
        if (busy || state == SEGUE_STATE_READY)
            fill(Box { b.x, b.y, b.w * progress / 100.0f, b.h }, busy ? kViolet : kGood, 8, busy ? 0.85f : 0.35f);
        char line[600];
        // `level` is 1 + the protocol's level (0 = none); the protocol numbers a prior's levels as the
        // model does (the top level of a three-level prior is 2), so that number is what is shown.
        const int level = static_cast<int>(fParam[SEGUE_P_LEVEL] + 0.5f) - 1;
        char levelText[32] = "";
        if (level >= 0)
            std::snprintf(levelText, sizeof levelText, "  ·  level %d", level);
        const float eta = fParam[SEGUE_P_ETA];
        if (state == SEGUE_STATE_GENERATING && fHaveView && fView.extending)
            std::snprintf(line, sizeof line, "Extending take %d  ·  %.0f %%%s  ·  %s", fView.extending, progress, levelText,
                          etaText(eta).c_str());
        else if (state == SEGUE_STATE_GENERATING)
            std::snprintf(line, sizeof line, "Generating  ·  %.0f %%%s  ·  %s", progress, levelText, etaText(eta).c_str());
        else if (state == SEGUE_STATE_SENDING)
            std::snprintf(line, sizeof line, "Sending to the daemon...");
        else if (state == SEGUE_STATE_READY && fHaveView && fView.n_takes)
            std::snprintf(line, sizeof line, "Ready  ·  %u take%s from bar %lld at %.2f bpm  ·  job %s%s", fView.n_takes,
                          fView.n_takes == 1 ? "" : "s", (long long)fView.start_bar + 1, fView.bpm, fView.job,
                          XdndSource::available() ? "  ·  drag a take onto the timeline" : "");
        else if (state == SEGUE_STATE_OFFLINE)
            std::snprintf(line, sizeof line, "Daemon offline: start it with  ./segue daemon  (the plugin retries every second)");
        else if (state == SEGUE_STATE_CAPTURING)
            std::snprintf(line, sizeof line, "Capturing  ·  press G to send the last %d bars", static_cast<int>(fParam[SEGUE_P_CAPTURE_BARS] + 0.5f));
        else if (state == SEGUE_STATE_ERROR)
            std::snprintf(line, sizeof line, "Stopped on an error: see below");
        else
            std::snprintf(line, sizeof line, "Idle  ·  play the song; takes start at the bar where you press G");
        label(b.x + 14, b.y + b.h / 2 + 1, line, kText, 15);
    }

    // A column's peak back to linear amplitude (the view's scale: SEGUE_VIEW_DB_FLOOR..0 dB on 1..255).
    static float amplitude(uint8_t peak)
    {
        if (peak == 0)
            return 0.0f;
        const double db = SEGUE_VIEW_DB_FLOOR * (1.0 - (peak - 1) / 254.0);
        return static_cast<float>(std::pow(10.0, db / 20.0));
    }

    static std::string etaText(float s)
    {
        char t[64];
        if (s <= 0.0f)
            return "estimating time left";
        if (s < 90.0f)
            std::snprintf(t, sizeof t, "about %.0f s left", std::ceil(s));
        else
            std::snprintf(t, sizeof t, "about %.0f min left", std::ceil(s / 60.0f));
        return t;
    }

    void drawTakes()
    {
        const Box& g = fBox[kTakeGrid];
        if (fCards == 0)
        {
            fill(g, kPanel, 8, 0.6f);
            if (focused(kTakeGrid))
                outline(g, kFocus, 8, 2);
            label(g.x + g.w / 2, g.y + g.h / 2, "No takes yet. They appear here as the daemon streams them.", kDim, 16,
                  ALIGN_CENTER | ALIGN_MIDDLE);
            return;
        }
        const int selected = static_cast<int>(fParam[SEGUE_P_TAKE] + 0.5f);
        const uint64_t total = fView.total_frames ? fView.total_frames : 1;
        // Drawn normalised to the loudest column of all the takes, on a square-root amplitude scale (a
        // loud hit does not flatten the rest; the view keeps peaks in dB so quiet takes keep their
        // detail): the takes compare with each other at a glance.
        float loudest = 0.0f;
        for (int k = 0; k < fCards; ++k)
            for (int col = 0; col < SEGUE_VIEW_COLUMNS; ++col)
                loudest = std::fmax(loudest, amplitude(fView.peak[k][col]));
        for (int k = 0; k < fCards; ++k)
        {
            const Box& c = fCard[k];
            const bool sel = k + 1 == selected;
            fill(c, sel ? kPanelHi : kPanel, 8);
            if (sel)
                outline(c, focused(kTakeGrid) ? kFocus : kAccent, 8, 2);
            char title[64], info[96];
            std::snprintf(title, sizeof title, "Take %d%s", k + 1, sel ? "  \xe2\x96\xb6" : "");
            label(c.x + 12, c.y + 16, title, sel ? kText : kDim, 15);
            const double secs = fView.rate ? (double)fView.take_frames[k] / fView.rate : 0.0;
            if (fView.take_final[k])
                std::snprintf(info, sizeof info, "%.1f s%s", secs, fView.take_extended[k] ? "  ·  extended" : "");
            else
                std::snprintf(info, sizeof info, "%.0f %%", fView.take_frames[k] ? 100.0 * fView.take_covered[k] / fView.take_frames[k] : 0.0);
            label(c.x + c.w - 12, c.y + 16, info, fView.take_final[k] ? kGood : kWarn, 13, ALIGN_RIGHT | ALIGN_MIDDLE);
            // The waveform: one bar per column, mirrored around the middle line; the columns span the
            // longest take, so an extended take reaches further right.
            const Box w = { c.x + 10, c.y + 30, c.w - 20, c.h - 40 };
            const float mid = w.y + w.h / 2;
            fill(Box { w.x, mid - 0.5f, w.w * (float)fView.take_frames[k] / total, 1 }, kDim, 0, 0.5f);
            const float colW = w.w / SEGUE_VIEW_COLUMNS;
            const uint64_t coveredCols = (uint64_t)fView.take_covered[k] * SEGUE_VIEW_COLUMNS / total;
            beginPath();
            for (int col = 0; col < SEGUE_VIEW_COLUMNS && (uint64_t)col < coveredCols; ++col)
            {
                const float a = loudest > 0.0f ? std::sqrt(amplitude(fView.peak[k][col]) / loudest) * (w.h / 2) : 0.0f;
                const float hgt = std::fmax(2.0f, 2 * a);
                rect(w.x + col * colW, mid - hgt / 2, std::fmax(1.0f, colW - 0.6f), hgt);
            }
            colour(fView.take_final[k] ? kWave : kWavePreview);
            NanoVG::fill();
            // Where an extension starts: a marker at the take's generated end.
            if (fView.take_extended[k] && fView.take_first_frames[k] < fView.take_frames[k])
            {
                const float x = w.x + w.w * (float)fView.take_first_frames[k] / total;
                fill(Box { x - 1, w.y, 2, w.h }, kFocus, 0, 0.9f);
                label(x + 4, w.y + 6, "ext", kFocus, 11);
            }
        }
    }

    void drawBottom()
    {
        const int monitor = static_cast<int>(fParam[SEGUE_P_MONITOR] + 0.5f);
        char ab[64];
        std::snprintf(ab, sizeof ab, "A/B: %s", monitor == 0 ? "dry" : monitor == 1 ? "take" : "take + dry");
        button(kAB, ab, "A", monitor == 0 ? Rgb { 80, 88, 100 } : kGood, true);
        char ext[64];
        std::snprintf(ext, sizeof ext, "Extend take %d by %d bars", static_cast<int>(fParam[SEGUE_P_TAKE] + 0.5f),
                      static_cast<int>(fParam[SEGUE_P_GENERATE_BARS] + 0.5f));
        const int state = static_cast<int>(fParam[SEGUE_P_STATE] + 0.5f);
        // Extend needs takes here and no job running (an error since, such as a refused tier, still allows it).
        const bool canExtend = takeCount() > 0 && (state == SEGUE_STATE_READY || state == SEGUE_STATE_ERROR ||
                                                   state == SEGUE_STATE_CAPTURING || state == SEGUE_STATE_IDLE);
        button(kExtend, ext, "E", kViolet, canExtend);

        const Box& s = fBox[kStatusLine];
        fill(s, kPanel, 8);
        const bool error = fHaveView && (std::strncmp(fView.status, "error", 5) == 0 || state == SEGUE_STATE_ERROR);
        const char* text = fHaveView ? fView.status : "";
        // the status can be long (a daemon's reason): wrap it in the box
        fontSize(13);
        textAlign(ALIGN_LEFT | ALIGN_TOP);
        colour(error ? kBad : kText);
        if (text[0] != '\0')
            textBox(s.x + 10, s.y + 6, s.w - 20, text, nullptr);

        drawClientKey();
        label(fBox[kKeysLine].x, fBox[kKeysLine].y + 11,
              "Keys:  Tab focus  ·  \xe2\x86\x90 \xe2\x86\x92 change  ·  Space/Enter press  ·  G generate  ·  Esc cancel  ·  "
              "1-9 take  ·  A  A/B  ·  E extend  ·  T tier  ·  C copy key", kDim, 13);
    }

    // The key a producer gives the studio's daemon (its clients/ folder) to be let in over CurveZMQ.
    void drawClientKey()
    {
        const Box& b = fBox[kClientKey];
        fill(b, kPanel, 6);
        if (focused(kClientKey))
            outline(b, kFocus, 6, 2);
        const float y = b.y + b.h / 2 + 1;
        label(b.x + 10, y, "Client key", kDim, 13);
        if (fClientKey[0] == '\0')
        {
            label(b.x + 90, y, fCore ? "not available: no $HOME or config folder to keep the key pair in" : "no access to the plugin instance",
                  kWarn, 13);
            return;
        }
        label(b.x + 90, y, fClientKey, kText, 13);
        const bool copied = nowSeconds() - fCopiedAt < 3.0;
        char hint[1200];
        std::snprintf(hint, sizeof hint, "%s  ·  %s", copied ? "copied to the clipboard" : "C copies it",
                      fClientKeyFile[0] ? fClientKeyFile : "");
        scissor(b.x + 420, b.y, b.w - 430, b.h); // a long path must stay in the box
        label(b.x + 420, y, hint, copied ? kGood : kDim, 13);
        resetScissor();
    }

    // --- test hook -----------------------------------------------------------------------------------

    void dumpLayout(int state)
    {
        if (fLayoutFile == nullptr || fLayoutFile[0] == '\0')
            return;
        char tmp[1100];
        std::snprintf(tmp, sizeof tmp, "%s.tmp", fLayoutFile);
        FILE* const f = std::fopen(tmp, "w");
        if (f == nullptr)
            return;
        std::fprintf(f, "window %lu\nsize %u %u\n", (unsigned long)getWindow().getNativeWindowHandle(), getWidth(), getHeight());
        for (int r = 0; r < kRegionCount; ++r)
            std::fprintf(f, "region %s %.0f %.0f %.0f %.0f\n", kRegionNames[r], fBox[r].x, fBox[r].y, fBox[r].w, fBox[r].h);
        for (int k = 0; k < fCards; ++k)
            std::fprintf(f, "card %d %.0f %.0f %.0f %.0f %u %u %u\n", k + 1, fCard[k].x, fCard[k].y, fCard[k].w, fCard[k].h,
                         fView.take_covered[k], fView.take_frames[k], (unsigned)fView.take_final[k]);
        std::fprintf(f, "capture_bars %d\ngenerate_bars %d\ntakes %d\n", static_cast<int>(fParam[SEGUE_P_CAPTURE_BARS] + 0.5f),
                     static_cast<int>(fParam[SEGUE_P_GENERATE_BARS] + 0.5f), static_cast<int>(fParam[SEGUE_P_TAKES] + 0.5f));
        std::fprintf(f, "client_key %s\nclient_key_file %s\nclipboard_copies %d\n", fClientKey, fClientKeyFile, fCopies);
        std::fprintf(f, "drags %d\ndrag %s\ndrag_take %d\ndrag_file %s\n", fDrag.started(),
                     fDrag.active() ? "active" : XdndSource::resultName(fDrag.lastResult()), fDragTake, fDragFile);
        std::fprintf(f, "tiers %d\n", fHaveView ? fView.prior_tiers : 0);
        std::fprintf(f, "state %s\nfocus %s\ntier %d\ntake %d\nmonitor %d\nprior %s\npreset %s\nstatus %s\n", kStateNames[state],
                     kRegionNames[kFocusOrder[fFocus]], static_cast<int>(fParam[SEGUE_P_TIER] + 0.5f),
                     static_cast<int>(fParam[SEGUE_P_TAKE] + 0.5f), static_cast<int>(fParam[SEGUE_P_MONITOR] + 0.5f),
                     fHaveView ? fView.prior : "", fHaveView ? fView.preset : "", fHaveView ? fView.status : "");
        std::fclose(f);
        std::rename(tmp, fLayoutFile);
    }

    DISTRHO_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR(SegueUI)
};

UI* createUI()
{
    return new SegueUI();
}

END_NAMESPACE_DISTRHO
