// The input flood: xdotool driving a real window on an X server, as fast as it goes, until stopped.
// Each xdotool run chains a few rounds of: a resize of the window (`windowsize`, cycling through
// sizes), the pointer circling over the note grid (`mousemove`), and a drag there (`mousedown`,
// moves, `mouseup`) -- which the GUI turns into a real edit of the track it edits. Presses only
// ever land inside `grid_area` (so nothing else in the window gets clicked: no mute button, no ruler
// locate); motions stay there too.
//
// Threading: start() and stop() from one thread; the flood runs on a thread of its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tactus::test {

struct PixelRect {
    int x = 0, y = 0, width = 0, height = 0;
};

struct PointerFloodCounts {
    std::int64_t motions = 0;  // mousemove commands (circles and drags)
    std::int64_t presses = 0;
    std::int64_t releases = 0;
    std::int64_t resizes = 0;  // windowsize commands
    std::int64_t runs = 0;     // xdotool processes
    std::int64_t failed_runs = 0;
    std::string last_failure;
    double seconds = 0;
};

struct PointerFloodOptions {
    std::vector<std::string> env;  // with DISPLAY
    std::string window;            // the X window id (xdotool search)
    // Inside the window, where the note grid is for a window of this size (a safe inner part of it).
    std::function<PixelRect(int width, int height)> grid_area;
    std::vector<std::pair<int, int>> sizes;  // the window sizes the flood cycles through
    int rounds_per_run = 4;
};

class PointerFlood {
public:
    explicit PointerFlood(PointerFloodOptions options);
    ~PointerFlood();  // stop()
    PointerFlood(const PointerFlood&) = delete;
    PointerFlood& operator=(const PointerFlood&) = delete;

    void start();
    // Ends the flood after the xdotool run under way; what was sent.
    PointerFloodCounts stop();

private:
    void run();
    std::vector<std::string> next_run(PointerFloodCounts& counts);

    PointerFloodOptions options_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    PointerFloodCounts counts_;
    std::size_t size_index_ = 0;
    std::uint64_t round_ = 0;
};

}  // namespace tactus::test
