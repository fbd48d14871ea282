// A private X server for a test: `Xvfb -displayfd FD` (Xvfb picks a free display number itself and
// writes it to FD, so parallel runs never collide), with a screen big enough for the GUI's largest
// window. The destructor (or stop()) takes it down; launched through `setpriv --pdeathsig KILL`, so
// a test that crashes does not leave it behind.
#pragma once

#include <sys/types.h>

#include <string>

namespace tactus::test {

class XvfbDisplay {
public:
    XvfbDisplay(int width = 1920, int height = 1200);
    ~XvfbDisplay();
    XvfbDisplay(const XvfbDisplay&) = delete;
    XvfbDisplay& operator=(const XvfbDisplay&) = delete;

    bool running() const { return pid_ > 0; }
    const std::string& error() const { return error_; }
    // ":N", for DISPLAY.
    const std::string& name() const { return name_; }
    void stop();

private:
    pid_t pid_ = -1;
    std::string name_;
    std::string error_;
    std::string log_path_;
};

}  // namespace tactus::test
