#include "cli/time_format.h"

#include <cmath>
#include <cstdio>

namespace tactus::cli {

std::string format_duration(double seconds) {
    const bool negative = seconds < 0;
    const long long hundredths = std::llround(std::abs(seconds) * 100.0);
    char text[48];
    std::snprintf(text, sizeof text, "%s%lld:%02lld.%02lld", negative ? "-" : "", hundredths / 6000,
                  (hundredths / 100) % 60, hundredths % 100);
    return text;
}

}  // namespace tactus::cli
