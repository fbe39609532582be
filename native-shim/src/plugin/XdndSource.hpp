/*
 * XdndSource.hpp: dragging one file out of the plugin's window, as an X11 XDND (version 5) drag source.
 *
 * DPF 1.6 (pugl) has no drag-and-drop API, so the window speaks XDND itself, on a second X11 connection
 * of its own: pugl's connection and its event loop are left untouched. What that connection does:
 *   - owns the XdndSelection and answers a target's SelectionRequest with the file as `text/uri-list`
 *     (its absolute path as a file:// URI, percent-encoded, CRLF-terminated) or `text/plain` (the path);
 *   - follows the pointer (XQueryPointer on the root window) and finds the top-level window under it that
 *     says it takes drops (its XdndAware version, or the window its XdndProxy names);
 *   - sends that window XdndEnter, XdndPosition (action copy), XdndLeave and XdndDrop, and reads its
 *     XdndStatus and XdndFinished.
 * No pointer grab is taken on that connection: the button press that starts a drag gives pugl's
 * connection an implicit grab, which another client cannot take over (XGrabPointer would answer
 * AlreadyGrabbed), and which already delivers every motion and the release to the plugin's window wherever
 * the pointer goes. The window passes the release (and Escape) on; the pointer's button state, read with
 * every position, ends the drag too if a host swallowed the release.
 *
 * Threads: the host's UI thread only (the window's idle callback and its mouse and key handlers), never
 * the audio thread. Nothing here waits on another client: events are read only while XPending says they
 * are there, and a target that stops answering is given up after a few seconds. The only round trips are
 * to the X server itself (pointer, properties, the ownership timestamp, XSync). Every buffer is fixed.
 *
 * Linux/X11 only; elsewhere the class is compiled to a stub whose begin() refuses, and a take card is not
 * draggable (the stems are on disk either way).
 */
#ifndef SEGUE_XDND_SOURCE_HPP
#define SEGUE_XDND_SOURCE_HPP

#include <cstdint>

class XdndSource
{
public:
    enum Result { kNone = 0, kDropped, kRefused, kCancelled, kNoAnswer };

    XdndSource();
    ~XdndSource();

    // Starts dragging the file at `path` (absolute). false, with nothing started, when the file's URI does
    // not fit, no X11 display can be opened, or the XdndSelection cannot be owned.
    bool begin(const char* path);
    // The pointer button was released: drop onto the target under it if it accepted, otherwise leave it.
    void release();
    // Escape: leave the target, no drop.
    void cancel();
    // From the UI's idle callback: events of this connection, the pointer, the target, timeouts.
    void idle();

    // Whether this build can drag at all (X11); the window says "drag a take" only where it can.
    static bool available();
    bool active() const { return fPhase != kIdle; }
    Result lastResult() const { return fResult; }
    int started() const { return fStarted; }
    static const char* resultName(Result r);

private:
    enum Phase { kIdle = 0, kDragging, kReleased, kDropping };
    Phase fPhase;
    Result fResult;
    int fStarted;
    struct X;   // the Xlib side (XdndSource.cpp), absent where there is no X11
    X* fX;

    void finish(Result r);
    XdndSource(const XdndSource&);
    XdndSource& operator=(const XdndSource&);
};

#endif
