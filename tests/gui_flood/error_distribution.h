// A summary of onset errors (samples, found - expected) for the test log: how many were exact, and
// the spread, both as measured and around their median (a constant lateness would make every onset
// "wrong" while keeping perfect time; the spread around the median is the jitter).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace tactus::test {

struct ErrorDistribution {
    std::size_t count = 0;
    std::size_t exact = 0;      // error 0
    std::size_t at_median = 0;  // error == the median (jitter 0)
    std::int64_t min = 0, p10 = 0, median = 0, p90 = 0, max = 0;
    std::int64_t jitter_p90 = 0;  // 90th percentile of |error - median|

    std::string to_string() const {
        std::ostringstream s;
        s << count << " onsets, " << exact << " exact; error min " << min << " p10 " << p10 << " median "
          << median << " p90 " << p90 << " max " << max << " samples; |error - median| p90 " << jitter_p90
          << ", " << at_median << " on the median";
        return s.str();
    }
};

inline ErrorDistribution distribution_of(std::vector<std::int64_t> errors) {
    ErrorDistribution d;
    d.count = errors.size();
    if (errors.empty()) return d;
    std::sort(errors.begin(), errors.end());
    const auto at = [&](double q) { return errors[std::size_t(q * double(errors.size() - 1))]; };
    d.min = errors.front(), d.p10 = at(0.1), d.median = at(0.5), d.p90 = at(0.9), d.max = errors.back();
    std::vector<std::int64_t> jitter;
    for (std::int64_t e : errors) {
        d.exact += e == 0;
        d.at_median += e == d.median;
        jitter.push_back(std::abs(e - d.median));
    }
    std::sort(jitter.begin(), jitter.end());
    d.jitter_p90 = jitter[std::size_t(0.9 * double(jitter.size() - 1))];
    return d;
}

}  // namespace tactus::test
