// A one-line progress bar on stderr, drawn only when stderr is a terminal (quiet in pipes and CI).
#pragma once

#include <chrono>
#include <string>

namespace tactus::cli {

class ProgressBar {
public:
    explicit ProgressBar(std::string label);
    ~ProgressBar();

    void update(double fraction);  // 0..1; redraws at most ~20 times a second
    void finish();

private:
    std::string label_;
    bool enabled_;
    bool finished_ = false;
    int last_percent_ = -1;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace tactus::cli
