// Human-readable times for terminal output.
#pragma once

#include <string>

namespace tactus::cli {

// "1:02.35" (minutes:seconds.hundredths); "-0:00.50" for negative times.
std::string format_duration(double seconds);

}  // namespace tactus::cli
