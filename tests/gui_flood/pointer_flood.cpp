#include "gui_flood/pointer_flood.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "gui_flood/child_processes.h"

namespace tactus::test {

namespace {
constexpr int kCirclePoints = 24;
constexpr int kDragSteps = 6;
constexpr double kPi = 3.14159265358979323846;
}  // namespace

PointerFlood::PointerFlood(PointerFloodOptions options) : options_(std::move(options)) {}

PointerFlood::~PointerFlood() {
    stop();
}

void PointerFlood::start() {
    stop_ = false;
    thread_ = std::thread([this] { run(); });
}

PointerFloodCounts PointerFlood::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return counts_;
}

void PointerFlood::run() {
    const auto begin = std::chrono::steady_clock::now();
    while (!stop_) {
        PointerFloodCounts added;
        std::vector<std::string> argv = next_run(added);
        const CommandResult result = run_command(argv, options_.env, std::chrono::seconds(20));
        ++counts_.runs;
        if (result.status != 0) {
            ++counts_.failed_runs;
            counts_.last_failure = result.output;
            continue;  // a failed run may have stopped anywhere: count none of it
        }
        counts_.motions += added.motions;
        counts_.presses += added.presses;
        counts_.releases += added.releases;
        counts_.resizes += added.resizes;
    }
    counts_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

std::vector<std::string> PointerFlood::next_run(PointerFloodCounts& counts) {
    const std::string& w = options_.window;
    std::vector<std::string> argv{"xdotool"};
    const auto move = [&](double x, double y) {
        argv.insert(argv.end(), {"mousemove", "--window", w, std::to_string(int(x)), std::to_string(int(y))});
        ++counts.motions;
    };
    for (int r = 0; r < options_.rounds_per_run; ++r, ++round_) {
        const auto [old_w, old_h] = options_.sizes[size_index_];
        size_index_ = (size_index_ + 1) % options_.sizes.size();
        const auto [new_w, new_h] = options_.sizes[size_index_];
        argv.insert(argv.end(), {"windowsize", w, std::to_string(new_w), std::to_string(new_h)});
        ++counts.resizes;
        // The window may not have taken its new size yet: stay where both sizes have the grid.
        const PixelRect a = options_.grid_area(std::min(old_w, new_w), std::min(old_h, new_h));
        const double cx = a.x + a.width / 2.0, cy = a.y + a.height / 2.0;
        const double radius = 0.45 * std::min(a.width, a.height);
        for (int i = 0; i < kCirclePoints; ++i) {
            const double angle = 2 * kPi * i / kCirclePoints + double(round_);
            move(cx + radius * std::cos(angle), cy + radius * std::sin(angle));
        }
        // A drag: from a point that moves around the grid from round to round, right and down a bit.
        const double fx = double((round_ * 37) % 100) / 100.0, fy = double((round_ * 61) % 100) / 100.0;
        const double x0 = a.x + fx * a.width * 0.6, y0 = a.y + fy * a.height * 0.6;
        move(x0, y0);
        argv.insert(argv.end(), {"mousedown", "1"});
        ++counts.presses;
        for (int i = 1; i <= kDragSteps; ++i)
            move(x0 + i * a.width * 0.3 / kDragSteps, y0 + i * a.height * 0.2 / kDragSteps);
        argv.insert(argv.end(), {"mouseup", "1"});
        ++counts.releases;
    }
    return argv;
}

}  // namespace tactus::test
