/*
 * x_drop_target: a window that takes file drops (XDND version 5), as a DAW's timeline or a file manager
 * would, and prints the URIs it was given.
 *
 *   x_drop_target [--proxy] X Y W H [TIMEOUT_S]
 *
 * Maps a W x H window at X,Y (root coordinates, on top), says XdndAware 5, and writes "ready 0x<window>"
 * on stderr once it is mapped. It accepts any drag that offers text/uri-list: every XdndPosition is
 * answered with an XdndStatus that accepts with the copy action (an empty rectangle, so each move is
 * reported). On XdndDrop it converts XdndSelection to text/uri-list at the drop's timestamp, prints each
 * URI of the list on its own line on stdout (comment lines skipped, CRLF removed), answers XdndFinished
 * (accepted, copy) and exits. What the drag did on the way (enters, positions, leaves, the source's version
 * and types) goes to stderr.
 *
 * With --proxy the window takes drops through XdndProxy, as some toolkits' windows do: its XdndProxy names
 * an unmapped window made on a second X11 connection (its own XdndProxy names itself, and it says
 * XdndAware 5 too), and only that connection reads the drag's messages. A source that sends to the
 * visible window instead of the proxy is never answered, and no drop happens.
 *
 * PluginWindowTest drags a take card of the plugin's window onto it with xdotool; the exchange is the
 * one a real drop target runs, so the test fails if the plugin drags the wrong file, nothing, or never
 * drops.
 *
 * Exit status: 0 after a drop with its URIs printed; 1 when no drop came before the timeout (default
 * 30 s), the source offered no text/uri-list, or its answer to the conversion was empty or missing
 * (5 s); 2 for bad arguments or no display.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

static double now_s(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}

static Display *d;   /* the visible window's connection */
static Display *dm;  /* the connection that reads the drag's messages: d, or the proxy's with --proxy */
static Window win, via; /* the visible window; where messages arrive (win, or the proxy window) */
static Atom a_aware, a_enter, a_position, a_status, a_leave, a_drop, a_finished, a_copy, a_selection, a_uri_list,
    a_type_list, a_property;

static void send_to(Window source, Atom type, long l1, long l2, long l3, long l4) {
    XEvent e;
    memset(&e, 0, sizeof e);
    e.xclient.type = ClientMessage;
    e.xclient.display = dm;
    e.xclient.window = source;
    e.xclient.message_type = type;
    e.xclient.format = 32;
    e.xclient.data.l[0] = (long)win;
    e.xclient.data.l[1] = l1;
    e.xclient.data.l[2] = l2;
    e.xclient.data.l[3] = l3;
    e.xclient.data.l[4] = l4;
    XSendEvent(dm, source, False, NoEventMask, &e);
    XFlush(dm);
}

/* Does the source offer text/uri-list? Up to three types in XdndEnter, more in its XdndTypeList. */
static int offers_uri_list(const XClientMessageEvent *enter) {
    if (enter->data.l[1] & 1) {
        Atom type = None;
        int format = 0;
        unsigned long n = 0, left = 0;
        unsigned char *data = NULL;
        int found = 0;
        if (XGetWindowProperty(dm, (Window)enter->data.l[0], a_type_list, 0, 64, False, XA_ATOM, &type, &format, &n, &left,
                               &data) == Success && data != NULL) {
            for (unsigned long i = 0; i < n; i++) found |= ((Atom *)data)[i] == a_uri_list;
            XFree(data);
        }
        return found;
    }
    for (int i = 2; i <= 4; i++)
        if ((Atom)enter->data.l[i] == a_uri_list) return 1;
    return 0;
}

int main(int argc, char **argv) {
    int proxy = argc > 1 && strcmp(argv[1], "--proxy") == 0;
    if (proxy) {
        argv++;
        argc--;
    }
    if (argc < 5) {
        fprintf(stderr, "usage: x_drop_target [--proxy] X Y W H [TIMEOUT_S]\n");
        return 2;
    }
    int x = atoi(argv[1]), y = atoi(argv[2]), w = atoi(argv[3]), h = atoi(argv[4]);
    double timeout = argc > 5 ? atof(argv[5]) : 30.0;
    if (w <= 0 || h <= 0 || w > 8192 || h > 8192 || timeout <= 0) {
        fprintf(stderr, "x_drop_target: bad size or timeout\n");
        return 2;
    }
    d = XOpenDisplay(NULL);
    if (d == NULL) {
        fprintf(stderr, "x_drop_target: cannot open the display (DISPLAY unset?)\n");
        return 2;
    }
    a_aware = XInternAtom(d, "XdndAware", False);
    a_enter = XInternAtom(d, "XdndEnter", False);
    a_position = XInternAtom(d, "XdndPosition", False);
    a_status = XInternAtom(d, "XdndStatus", False);
    a_leave = XInternAtom(d, "XdndLeave", False);
    a_drop = XInternAtom(d, "XdndDrop", False);
    a_finished = XInternAtom(d, "XdndFinished", False);
    a_copy = XInternAtom(d, "XdndActionCopy", False);
    a_selection = XInternAtom(d, "XdndSelection", False);
    a_uri_list = XInternAtom(d, "text/uri-list", False);
    a_type_list = XInternAtom(d, "XdndTypeList", False);
    a_property = XInternAtom(d, "SEGUE_DROP", False);

    /* override-redirect: placed exactly where asked, whatever window manager there is (Xvfb has none) */
    XSetWindowAttributes attrs;
    memset(&attrs, 0, sizeof attrs);
    attrs.override_redirect = True;
    attrs.background_pixel = 0x3060a0;
    attrs.event_mask = StructureNotifyMask;
    win = XCreateWindow(d, DefaultRootWindow(d), x, y, (unsigned)w, (unsigned)h, 0, CopyFromParent, InputOutput, CopyFromParent,
                        CWOverrideRedirect | CWBackPixel | CWEventMask, &attrs);
    Atom version = 5;
    XChangeProperty(d, win, a_aware, XA_ATOM, 32, PropModeReplace, (unsigned char *)&version, 1);
    XStoreName(d, win, "x_drop_target");
    dm = d;
    via = win;
    if (proxy) {
        dm = XOpenDisplay(NULL);
        if (dm == NULL) {
            fprintf(stderr, "x_drop_target: cannot open a second connection for the proxy\n");
            return 2;
        }
        via = XCreateWindow(dm, DefaultRootWindow(dm), -10, -10, 1, 1, 0, 0, InputOnly, CopyFromParent, 0, NULL);
        XChangeProperty(dm, via, XInternAtom(dm, "XdndProxy", False), XA_WINDOW, 32, PropModeReplace, (unsigned char *)&via, 1);
        XChangeProperty(dm, via, XInternAtom(dm, "XdndAware", False), XA_ATOM, 32, PropModeReplace, (unsigned char *)&version, 1);
        XSync(dm, False);
        XChangeProperty(d, win, XInternAtom(d, "XdndProxy", False), XA_WINDOW, 32, PropModeReplace, (unsigned char *)&via, 1);
    }
    XMapRaised(d, win);
    XSync(d, False);
    for (;;) { /* mapped: then the pointer can find it */
        XEvent e;
        XNextEvent(d, &e);
        if (e.type == MapNotify) break;
    }
    fprintf(stderr, "ready 0x%lx%s\n", (unsigned long)win, proxy ? " (through a proxy)" : "");
    fflush(stderr);

    Window source = None;
    int accept = 0, positions = 0;
    double deadline = now_s() + timeout, converting_since = 0.0;
    while (now_s() < deadline) {
        while (XPending(dm)) {
            XEvent e;
            XNextEvent(dm, &e);
            if (e.type == ClientMessage && e.xclient.message_type == a_enter) {
                source = (Window)e.xclient.data.l[0];
                accept = offers_uri_list(&e.xclient);
                positions = 0;
                fprintf(stderr, "enter from 0x%lx, version %ld, %s\n", (unsigned long)source, e.xclient.data.l[1] >> 24,
                        accept ? "offers text/uri-list" : "no text/uri-list");
            } else if (e.type == ClientMessage && e.xclient.message_type == a_position && (Window)e.xclient.data.l[0] == source) {
                positions++;
                long at = e.xclient.data.l[2];
                if (positions == 1)
                    fprintf(stderr, "position %ld,%ld action %s\n", at >> 16, at & 0xffff,
                            (Atom)e.xclient.data.l[4] == a_copy ? "copy" : "other");
                send_to(source, a_status, accept ? 1 : 0, 0, 0, accept ? (long)a_copy : 0);
            } else if (e.type == ClientMessage && e.xclient.message_type == a_leave && (Window)e.xclient.data.l[0] == source) {
                fprintf(stderr, "leave after %d positions\n", positions);
                source = None;
            } else if (e.type == ClientMessage && e.xclient.message_type == a_drop && (Window)e.xclient.data.l[0] == source) {
                fprintf(stderr, "drop after %d positions\n", positions);
                if (!accept) {
                    send_to(source, a_finished, 0, 0, 0, 0);
                    return 1;
                }
                XConvertSelection(dm, a_selection, a_uri_list, a_property, via, (Time)e.xclient.data.l[2]);
                XFlush(dm);
                converting_since = now_s();
                deadline = converting_since + 5.0;
            } else if (e.type == SelectionNotify && e.xselection.selection == a_selection) {
                int ok = 0;
                if (e.xselection.property != None) {
                    Atom type = None;
                    int format = 0;
                    unsigned long n = 0, left = 0;
                    unsigned char *data = NULL;
                    if (XGetWindowProperty(dm, via, a_property, 0, 1 << 16, True, AnyPropertyType, &type, &format, &n, &left,
                                           &data) == Success && data != NULL && format == 8) {
                        /* text/uri-list: lines ending in CRLF, '#' starts a comment line */
                        char *text = (char *)data;
                        for (char *line = strtok(text, "\r\n"); line != NULL; line = strtok(NULL, "\r\n")) {
                            if (line[0] == '#' || line[0] == '\0') continue;
                            printf("%s\n", line);
                            ok = 1;
                        }
                        fflush(stdout);
                    }
                    if (data != NULL) XFree(data);
                }
                send_to(source, a_finished, ok ? 1 : 0, ok ? (long)a_copy : 0, 0, 0);
                XSync(dm, False);
                fprintf(stderr, ok ? "dropped\n" : "the source's answer was empty\n");
                return ok ? 0 : 1;
            }
        }
        int fd = ConnectionNumber(dm);
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fd, &set);
        struct timeval tv = {0, 50000};
        select(fd + 1, &set, NULL, NULL, &tv);
    }
    fprintf(stderr, converting_since > 0 ? "x_drop_target: the source did not answer the conversion in 5 s\n"
                                         : "x_drop_target: no drop in %.0f s\n", timeout);
    return 1;
}
