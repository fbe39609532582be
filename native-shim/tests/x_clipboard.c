/*
 * x_clipboard: prints the X11 CLIPBOARD selection as UTF-8 text, the way a producer's paste would get it.
 *
 * PluginWindowTest presses C in the plugin's window (which copies the CurveZMQ client key) and reads the
 * clipboard back with this, so the test sees what a paste into a terminal or a mail would see. Debian 12
 * installs no xclip or xsel with the test's packages; this is the part of them the test needs.
 *
 * Exit status: 0 with the text on stdout; 1 when no client owns the clipboard or it does not answer in
 * 5 s; 2 when the display cannot be opened.
 */
#include <stdio.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <sys/select.h>

int main(void) {
    Display *d = XOpenDisplay(NULL);
    if (d == NULL) {
        fprintf(stderr, "x_clipboard: cannot open the display (DISPLAY unset?)\n");
        return 2;
    }
    Atom clipboard = XInternAtom(d, "CLIPBOARD", False);
    Atom utf8 = XInternAtom(d, "UTF8_STRING", False);
    Atom property = XInternAtom(d, "SEGUE_X_CLIPBOARD", False);
    if (XGetSelectionOwner(d, clipboard) == None) {
        fprintf(stderr, "x_clipboard: nobody owns the clipboard\n");
        return 1;
    }
    /* A window of our own to receive the owner's answer on. */
    Window w = XCreateSimpleWindow(d, DefaultRootWindow(d), 0, 0, 1, 1, 0, 0, 0);
    XConvertSelection(d, clipboard, utf8, property, w, CurrentTime);
    XFlush(d);

    /* The owner answers with a SelectionNotify once its event loop has run (a plugin window: the host's
     * next idle tick). Wait up to 5 s for it. */
    for (int tries = 0; tries < 50; tries++) {
        while (XPending(d)) {
            XEvent ev;
            XNextEvent(d, &ev);
            if (ev.type != SelectionNotify || ev.xselection.selection != clipboard) continue;
            if (ev.xselection.property == None) {
                fprintf(stderr, "x_clipboard: the owner refused the request\n");
                return 1;
            }
            Atom type;
            int format;
            unsigned long n, left;
            unsigned char *data = NULL;
            if (XGetWindowProperty(d, w, property, 0, 1 << 16, True, AnyPropertyType, &type, &format, &n, &left,
                                   &data) != Success || data == NULL) {
                fprintf(stderr, "x_clipboard: the answer could not be read\n");
                return 1;
            }
            fwrite(data, 1, n, stdout);
            XFree(data);
            XCloseDisplay(d);
            return 0;
        }
        int fd = ConnectionNumber(d);
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fd, &set);
        struct timeval tv = { 0, 100000 };
        select(fd + 1, &set, NULL, NULL, &tv);
    }
    fprintf(stderr, "x_clipboard: the clipboard's owner did not answer in 5 s\n");
    return 1;
}
