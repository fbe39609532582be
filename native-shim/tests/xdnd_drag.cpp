/*
 * xdnd_drag: the window's drag source (src/plugin/XdndSource.cpp) alone, without a plugin or a host, for
 * tests/xdnd_check.sh.
 *
 *   xdnd_drag PATH
 *
 * Starts a drag of PATH (pointer button 1 must already be down: the script presses it with xdotool, as the
 * window's drag starts from a press), runs the source's idle step every 10 ms as the window's idle callback
 * does, and prints "result <dropped|refused|cancelled|no-answer> <ms>" once the drag is over (the time it
 * took since the button came up is measured by the script). Exit status 0 when the drag started, 1 when
 * begin() refused, 2 on a drag still going after 30 s.
 */
#include <chrono>
#include <cstdio>
#include <thread>

#include "XdndSource.hpp"

int main(int argc, char** argv)
{
    if (argc != 2)
    {
        std::fprintf(stderr, "usage: xdnd_drag PATH\n");
        return 1;
    }
    XdndSource drag;
    if (!drag.begin(argv[1]))
    {
        std::printf("result not-started\n");
        return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 3000 && drag.active(); ++i)
    {
        drag.idle();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const long ms = (long)std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    std::printf("result %s %ld\n", drag.active() ? "still-dragging" : XdndSource::resultName(drag.lastResult()), ms);
    return drag.active() ? 2 : 0;
}
