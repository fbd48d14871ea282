#include "core/automation.h"

#include <algorithm>
#include <charconv>
#include <tuple>

namespace tactus {

const char* automation_shape_name(AutomationShape shape) {
    switch (shape) {
        case AutomationShape::Hold:
            return "hold";
        case AutomationShape::Linear:
            return "linear";
        case AutomationShape::Smooth:
            return "smooth";
    }
    return "linear";
}

std::optional<AutomationShape> automation_shape_from_name(std::string_view name) {
    if (name == "hold") return AutomationShape::Hold;
    if (name == "linear") return AutomationShape::Linear;
    if (name == "smooth") return AutomationShape::Smooth;
    return std::nullopt;
}

const char* automation_owner_name(AutomationOwner owner) {
    switch (owner) {
        case AutomationOwner::Track:
            return "track";
        case AutomationOwner::Bus:
            return "bus";
        case AutomationOwner::Master:
            return "master";
    }
    return "track";
}

std::optional<AutomationOwner> automation_owner_from_name(std::string_view name) {
    if (name == "track") return AutomationOwner::Track;
    if (name == "bus") return AutomationOwner::Bus;
    if (name == "master") return AutomationOwner::Master;
    return std::nullopt;
}

std::optional<ParsedControl> parse_automated_control(AutomationOwner owner, std::string_view control,
                                                     std::string* error) {
    if (owner == AutomationOwner::Master) {
        if (control == "level") return ParsedControl{AutomatedControl::MasterLevel, 0};
        if (error)
            *error =
                "unknown control \"" + std::string(control) + "\" of the master (automatable: \"level\")";
        return std::nullopt;
    }
    if (control == "level") return ParsedControl{AutomatedControl::Level, 0};
    if (control == "pan") return ParsedControl{AutomatedControl::Pan, 0};
    constexpr std::string_view kSend = "send:";
    if (control.starts_with(kSend)) {
        if (owner != AutomationOwner::Track) {
            if (error) *error = "a bus has no sends to automate (\"" + std::string(control) + "\")";
            return std::nullopt;
        }
        const std::string_view digits = control.substr(kSend.size());
        std::uint64_t bus = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bus);
        // One spelling per control ("send:7", not "send:07"): a lane's target is compared as text.
        if (ec == std::errc() && end == digits.data() + digits.size() && !digits.empty() && bus != 0 &&
            digits.front() != '0')
            return ParsedControl{AutomatedControl::SendLevel, bus};
    }
    if (error)
        *error = "unknown control \"" + std::string(control) +
                 "\" (automatable: \"level\", \"pan\", \"send:BUS_ID\")";
    return std::nullopt;
}

void automated_control_range(AutomatedControl control, double* low, double* high) {
    *low = control == AutomatedControl::Pan ? -1.0 : 0.0;
    *high = control == AutomatedControl::Pan ? 1.0 : 4.0;
}

bool automation_target_less(const AutomationTarget& a, const AutomationTarget& b) {
    return std::tie(a.owner, a.id, a.control) < std::tie(b.owner, b.id, b.control);
}

std::optional<double> automation_value_at_beat(const std::vector<AutomationPoint>& points, double beat) {
    if (points.empty()) return std::nullopt;
    // The last point at or before `beat` (of points on one beat, the last one wins).
    const auto after = std::upper_bound(points.begin(), points.end(), beat,
                                        [](double b, const AutomationPoint& p) { return b < p.beat; });
    if (after == points.begin()) return points.front().value;
    const AutomationPoint& from = *(after - 1);
    if (after == points.end()) return from.value;
    const double t = (beat - from.beat) / (after->beat - from.beat);
    return from.value + (after->value - from.value) * automation_fraction(from.shape, t);
}

namespace {

std::string number(double x) {
    std::string s = std::to_string(x);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

}  // namespace

std::string check_automation_points(AutomatedControl control, const std::vector<AutomationPoint>& points,
                                    double max_beat) {
    double low = 0, high = 0;
    automated_control_range(control, &low, &high);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const AutomationPoint& p = points[i];
        const std::string at = "automation point " + std::to_string(i + 1) + ": ";
        if (!(p.beat >= 0.0 && p.beat <= max_beat))
            return at + "beat must be within 0.." + number(max_beat) + " (got " + number(p.beat) + ")";
        if (!(p.value >= low && p.value <= high))
            return at + "value must be within " + number(low) + ".." + number(high) + " (got " +
                   number(p.value) + ")";
    }
    return "";
}

}  // namespace tactus
