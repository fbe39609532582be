/*
 * XdndSource.cpp: the window's XDND drag source (what and why: XdndSource.hpp).
 *
 * The exchange, as freedesktop's XDND (version 5) describes it, from the source's side:
 *
 *   press on a take card, move past a few pixels      begin(): own XdndSelection with a server timestamp
 *   the pointer enters a window that takes drops       XdndEnter   (our version, our two types)
 *   the pointer moves over it                          XdndPosition (root x/y, time, action copy), then
 *                                                      wait for its XdndStatus before the next position
 *   the pointer leaves it, or Escape                   XdndLeave
 *   release over a window whose last status accepted   XdndDrop (the ownership timestamp); the target
 *                                                      converts XdndSelection to text/uri-list (answered
 *                                                      in idle()) and sends XdndFinished
 *   release anywhere else                              XdndLeave, nothing dropped
 *
 * A target that sends no XdndStatus within kAnswerSeconds is left and not entered again in this drag; a
 * drop that brings no XdndFinished within kFinishSeconds ends the drag ("no answer"). The selection stays
 * owned after the drag, so a target that converts late still gets the file.
 *
 * X errors: a target window can vanish at any moment, and Xlib's default error handler would end the
 * host's process on the BadWindow that follows. Xlib has one error handler per process, shared with the
 * host's own toolkit, so it is swapped only around this connection's requests (ErrorScope: an XSync
 * before the old handler comes back, so every error of ours arrives inside), and errors of any other
 * connection still go to the handler that was there.
 *
 * About 470 lines in one file because the exchange is one state machine: each message handler reads and
 * moves the state the others left, and the error scope wraps requests made from all of them.
 */
#include "XdndSource.hpp"

#include <cstdio>
#include <cstring>

#if defined(HAVE_X11) && !defined(__APPLE__) && !defined(_WIN32)
#define SEGUE_XDND 1
#include <chrono>
#include <climits>
#include <cstdlib>
#include <X11/Xatom.h>
#include <X11/Xlib.h>

extern "C" {
#include "file_uri.h"
}
#endif

const char* XdndSource::resultName(Result r)
{
    switch (r)
    {
    case kDropped: return "dropped";
    case kRefused: return "refused";
    case kCancelled: return "cancelled";
    case kNoAnswer: return "no-answer";
    default: return "none";
    }
}

#ifndef SEGUE_XDND

// No X11 here: nothing can be dragged out of the window.
struct XdndSource::X {};
XdndSource::XdndSource() : fPhase(kIdle), fResult(kNone), fStarted(0), fX(nullptr) {}
XdndSource::~XdndSource() {}
bool XdndSource::available() { return false; }
bool XdndSource::begin(const char*) { return false; }
void XdndSource::release() {}
void XdndSource::cancel() {}
void XdndSource::idle() {}
void XdndSource::finish(Result r) { fResult = r; fPhase = kIdle; }

#else

namespace {

const int kVersion = 5;              // the XDND version this source speaks (and 3, 4 with older targets)
const int kMinVersion = 3;
const double kAnswerSeconds = 3.0;   // a target's XdndStatus
const double kFinishSeconds = 5.0;   // a target's XdndFinished after the drop
const int kMaxDepth = 32;            // windows descended from the root to find a target

double now()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Errors of this connection's requests are expected (a target gone) and dropped; any other connection's
// go to the handler that was installed before.
XErrorHandler gPrevious = nullptr;
Display* gOurs = nullptr;

int onError(Display* d, XErrorEvent* e)
{
    if (d == gOurs)
        return 0;
    return gPrevious != nullptr ? gPrevious(d, e) : 0;
}

struct ErrorScope
{
    Display* const d;
    XErrorHandler const saved;
    Display* const savedOurs;
    explicit ErrorScope(Display* display) : d(display), saved(XSetErrorHandler(onError)), savedOurs(gOurs)
    {
        if (saved != onError)
            gPrevious = saved;
        gOurs = d;
    }
    ~ErrorScope()
    {
        XSync(d, False);
        gOurs = savedOurs;
        XSetErrorHandler(saved);
    }
};

} // namespace

struct XdndSource::X
{
    Display* d = nullptr;
    Window root = None, source = None;
    Atom aware, proxy, selection, enter, position, status, leave, drop, finished, copy, uriList, textPlain, utf8,
        targets, timeProp;
    Time time = CurrentTime;       // when the selection was taken: the drop's timestamp
    char uriList_[8192];           // "file:///...\r\n"
    long uriLength = 0;
    char path[PATH_MAX];           // the file itself, for text/plain

    Window target = None;          // the window that takes drops under the pointer (None: none)
    Window sendTo = None;          // where its messages go: the target, or the window its XdndProxy names
    int version = 0;               // min(ours, the target's)
    Window ignored = None;         // a target that never answered: not entered again in this drag
    bool waiting = false;          // an XdndPosition is out and its XdndStatus has not come
    double sentAt = 0.0;           // when that position (or the drop) went out
    bool accepted = false;         // the target's last status accepted the drop
    int x = -1, y = -1;            // the pointer, root coordinates, last sent
    int px = -1, py = -1;          // the pointer as last read
    bool button = false;           // button 1 still down
    bool finishedOk = false;

    void message(Atom type, long l1, long l2, long l3, long l4)
    {
        XEvent e;
        std::memset(&e, 0, sizeof e);
        e.xclient.type = ClientMessage;
        e.xclient.display = d;
        e.xclient.window = target;
        e.xclient.message_type = type;
        e.xclient.format = 32;
        e.xclient.data.l[0] = (long)source;
        e.xclient.data.l[1] = l1;
        e.xclient.data.l[2] = l2;
        e.xclient.data.l[3] = l3;
        e.xclient.data.l[4] = l4;
        XSendEvent(d, sendTo, False, NoEventMask, &e);
    }

    // One window property of one 32-bit item (XdndAware's version, XdndProxy's window); false if absent.
    bool property(Window w, Atom name, Atom type, unsigned long* out)
    {
        Atom actual = None;
        int format = 0;
        unsigned long n = 0, left = 0;
        unsigned char* data = nullptr;
        const bool ok = XGetWindowProperty(d, w, name, 0, 1, False, type, &actual, &format, &n, &left, &data) == Success &&
                        actual == type && format == 32 && n == 1 && data != nullptr;
        if (ok)
            *out = reinterpret_cast<unsigned long*>(data)[0];
        if (data != nullptr)
            XFree(data);
        return ok;
    }

    // Does w take drops? Its XdndProxy, when that window names itself too (the spec's check against a
    // stale proxy), is where messages go and where XdndAware is read.
    bool takesDrops(Window w, Window* to, int* v)
    {
        unsigned long p = 0, self = 0;
        Window via = w;
        if (property(w, proxy, XA_WINDOW, &p) && p != 0 && property((Window)p, proxy, XA_WINDOW, &self) && self == p)
            via = (Window)p;
        unsigned long aware_ = 0;
        if (!property(via, aware, XA_ATOM, &aware_) || (int)aware_ < kMinVersion)
            return false;
        *to = via;
        *v = (int)aware_ < kVersion ? (int)aware_ : kVersion;
        return true;
    }

    // The top-level window under the root point that takes drops: down from the root through the children
    // under the pointer, the first that says XdndAware (a window manager's frame does not; the client
    // window inside it does).
    Window find(int rx, int ry, Window* to, int* v)
    {
        Window w = root;
        for (int depth = 0; depth < kMaxDepth; ++depth)
        {
            Window child = None;
            int cx = 0, cy = 0;
            if (!XTranslateCoordinates(d, root, w, rx, ry, &cx, &cy, &child) || child == None)
                return None;
            w = child;
            if (w != source && takesDrops(w, to, v))
                return w;
        }
        return None;
    }

    void answer(const XSelectionRequestEvent& r)
    {
        XSelectionEvent n;
        std::memset(&n, 0, sizeof n);
        n.type = SelectionNotify;
        n.display = d;
        n.requestor = r.requestor;
        n.selection = r.selection;
        n.target = r.target;
        n.time = r.time;
        n.property = None;
        const Atom into = r.property != None ? r.property : r.target; // an obsolete client names none
        if (r.selection == selection && uriLength > 0)
        {
            if (r.target == targets)
            {
                const Atom offered[4] = { targets, uriList, textPlain, utf8 };
                XChangeProperty(d, r.requestor, into, XA_ATOM, 32, PropModeReplace, (const unsigned char*)offered, 4);
                n.property = into;
            }
            else if (r.target == uriList)
            {
                XChangeProperty(d, r.requestor, into, uriList, 8, PropModeReplace, (const unsigned char*)uriList_, (int)uriLength);
                n.property = into;
            }
            else if (r.target == textPlain || r.target == utf8)
            {
                XChangeProperty(d, r.requestor, into, r.target, 8, PropModeReplace, (const unsigned char*)path, (int)std::strlen(path));
                n.property = into;
            }
        }
        XSendEvent(d, r.requestor, False, NoEventMask, reinterpret_cast<XEvent*>(&n));
    }
};

XdndSource::XdndSource() : fPhase(kIdle), fResult(kNone), fStarted(0), fX(nullptr) {}

bool XdndSource::available() { return true; }

XdndSource::~XdndSource()
{
    if (fX == nullptr)
        return;
    if (fX->d != nullptr)
    {
        {
            ErrorScope scope(fX->d);
            if ((fPhase == kDragging || fPhase == kReleased) && fX->target != None)
                fX->message(fX->leave, 0, 0, 0, 0);
            if (fX->source != None)
                XDestroyWindow(fX->d, fX->source);
        }
        XCloseDisplay(fX->d);
    }
    delete fX;
}

bool XdndSource::begin(const char* path)
{
    if (fPhase != kIdle || path == nullptr || path[0] != '/' || std::strlen(path) >= PATH_MAX)
        return false;
    if (fX == nullptr)
    {
        // The connection, its window and atoms: made at the first drag and kept for the window's life.
        X* const x = new X();
        x->d = XOpenDisplay(nullptr);
        if (x->d == nullptr)
        {
            delete x;
            return false;
        }
        fX = x;
        ErrorScope scope(x->d);
        x->root = DefaultRootWindow(x->d);
        XSetWindowAttributes attrs;
        std::memset(&attrs, 0, sizeof attrs);
        attrs.event_mask = PropertyChangeMask;
        x->source = XCreateWindow(x->d, x->root, -10, -10, 1, 1, 0, 0, InputOnly, CopyFromParent, CWEventMask, &attrs);
        const char* names[15] = { "XdndAware", "XdndProxy", "XdndSelection", "XdndEnter", "XdndPosition", "XdndStatus",
                                  "XdndLeave", "XdndDrop", "XdndFinished", "XdndActionCopy", "text/uri-list", "text/plain",
                                  "UTF8_STRING", "TARGETS", "SEGUE_XDND_TIME" };
        Atom atoms[15];
        XInternAtoms(x->d, const_cast<char**>(names), 15, False, atoms);
        Atom* const slot[15] = { &x->aware, &x->proxy, &x->selection, &x->enter, &x->position, &x->status, &x->leave,
                                 &x->drop, &x->finished, &x->copy, &x->uriList, &x->textPlain, &x->utf8, &x->targets,
                                 &x->timeProp };
        for (int i = 0; i < 15; ++i)
            *slot[i] = atoms[i];
    }
    X* const x = fX;

    // What the target will read: the URI list (one URI, CRLF-terminated) and the plain path.
    const long n = segue_file_uri(x->uriList_, sizeof x->uriList_ - 2, path);
    if (n < 0)
        return false;
    x->uriList_[n] = '\r';
    x->uriList_[n + 1] = '\n';
    x->uriList_[n + 2] = '\0';
    x->uriLength = n + 2;
    std::snprintf(x->path, sizeof x->path, "%s", path);

    ErrorScope scope(x->d);
    // A server timestamp for the ownership (and the drop): a zero-length append to a property of our own
    // window makes the server send a PropertyNotify carrying its time; XSync brings it into the queue.
    XChangeProperty(x->d, x->source, x->timeProp, XA_INTEGER, 32, PropModeAppend, nullptr, 0);
    XSync(x->d, False);
    XEvent e;
    x->time = CurrentTime;
    while (XCheckTypedWindowEvent(x->d, x->source, PropertyNotify, &e))
        x->time = e.xproperty.time;
    XSetSelectionOwner(x->d, x->selection, x->source, x->time);
    if (XGetSelectionOwner(x->d, x->selection) != x->source)
        return false;

    x->target = x->sendTo = x->ignored = None;
    x->waiting = x->accepted = x->finishedOk = false;
    x->x = x->y = x->px = x->py = -1;
    x->button = true;
    fPhase = kDragging;
    fResult = kNone;
    ++fStarted;
    return true;
}

void XdndSource::release()
{
    if (fPhase == kDragging)
        fPhase = kReleased; // idle() drops, or leaves, once the target's last answer is in
}

void XdndSource::cancel()
{
    if (fPhase != kDragging && fPhase != kReleased)
        return;
    ErrorScope scope(fX->d);
    if (fX->target != None)
        fX->message(fX->leave, 0, 0, 0, 0);
    finish(kCancelled);
}

void XdndSource::finish(Result r)
{
    fResult = r;
    fPhase = kIdle;
    if (fX != nullptr)
        fX->target = fX->sendTo = None;
}

void XdndSource::idle()
{
    if (fX == nullptr || fX->d == nullptr)
        return;
    X* const x = fX;
    if (fPhase == kIdle && XPending(x->d) == 0)
        return; // no drag and no late request: nothing to do, no round trip
    ErrorScope scope(x->d);
    const double t = now();

    // 1. What came in, without ever waiting for it.
    while (XPending(x->d) > 0)
    {
        XEvent e;
        XNextEvent(x->d, &e);
        if (e.type == SelectionRequest)
            x->answer(e.xselectionrequest);
        else if (e.type == ClientMessage && e.xclient.message_type == x->status && (Window)e.xclient.data.l[0] == x->target &&
                 x->target != None)
        {
            x->waiting = false;
            x->accepted = (e.xclient.data.l[1] & 1) != 0;
        }
        else if (e.type == ClientMessage && e.xclient.message_type == x->finished && fPhase == kDropping &&
                 (Window)e.xclient.data.l[0] == x->target)
        {
            // Version 5 says whether the target took it; before that a finish is a success.
            const bool ok = x->version < 5 || (e.xclient.data.l[1] & 1) != 0;
            finish(ok ? kDropped : kRefused);
        }
    }
    if (fPhase == kIdle)
        return;

    // 2. A drop out: wait for XdndFinished, not forever.
    if (fPhase == kDropping)
    {
        if (t - x->sentAt > kFinishSeconds)
            finish(kNoAnswer);
        return;
    }

    // 3. Where the pointer is, and whether the button is still down (a host may swallow the release).
    Window r = None, c = None;
    int rx = 0, ry = 0, wx = 0, wy = 0;
    unsigned int mask = 0;
    if (XQueryPointer(x->d, x->root, &r, &c, &rx, &ry, &wx, &wy, &mask))
    {
        x->px = rx;
        x->py = ry;
        if (!(mask & Button1Mask) && fPhase == kDragging)
            fPhase = kReleased;
    }

    // 4. A target that stopped answering is left, and not entered again in this drag.
    if (x->target != None && x->waiting && t - x->sentAt > kAnswerSeconds)
    {
        x->message(x->leave, 0, 0, 0, 0);
        x->ignored = x->target;
        x->target = x->sendTo = None;
        x->waiting = x->accepted = false;
    }

    // 5. The window under the pointer, entered and left as the pointer goes (also after the release, so
    //    the drop goes where the button came up, not where the last tick saw the pointer).
    Window to = None;
    int v = 0;
    Window under = x->find(x->px, x->py, &to, &v);
    if (under == x->ignored)
        under = None;
    if (under != x->target)
    {
        if (x->target != None)
            x->message(x->leave, 0, 0, 0, 0);
        x->target = under;
        x->sendTo = to;
        x->version = v;
        x->waiting = x->accepted = false;
        x->x = x->y = -1;
        if (under != None)
            x->message(x->enter, (long)v << 24, (long)x->uriList, (long)x->textPlain, (long)x->utf8);
    }
    // One position at a time: the next only once the target answered the last.
    if (x->target != None && !x->waiting && (x->px != x->x || x->py != x->y))
    {
        x->x = x->px;
        x->y = x->py;
        x->message(x->position, 0, ((long)x->x << 16) | (x->y & 0xffff), (long)x->time, (long)x->copy);
        x->waiting = true;
        x->sentAt = t;
    }

    // 6. Released, and the target has answered for where the pointer is: drop if it accepted, else leave.
    if (fPhase == kReleased && !x->waiting)
    {
        if (x->target != None && x->accepted)
        {
            x->message(x->drop, 0, (long)x->time, 0, 0);
            x->sentAt = t;
            fPhase = kDropping;
        }
        else
        {
            if (x->target != None)
                x->message(x->leave, 0, 0, 0, 0);
            finish(kRefused);
        }
    }
    XFlush(x->d);
}

#endif
