// Automation: a mixer control of a track or bus (level, pan, a send's level) following a curve of points
// over the score, drawn by the user and played by the engine on the audio thread, sample-exact.
//
// The curve (docs/document-format.md, "Automation"): before the first point the control holds the first
// point's value, after the last the last one's. Between point i and point i + 1 the shape of point i
// decides: hold keeps v_i up to (not including) the next point's frame; linear is
//   v(f) = v_i + (v_{i+1} - v_i) * (f - f_i) / (f_{i+1} - f_i)
// in output frames f (so each point's value lands exactly on its frame); smooth uses t*t*(3 - 2t) for
// the fraction t (an S-curve with level ends). Values are the control's own units: level and send level
// as linear gain 0..4, pan -1..1.
//
// Plain values, owned by one thread at a time (as the rest of the Document).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tactus {

enum class AutomationShape : std::uint8_t { Hold, Linear, Smooth };

// "hold", "linear", "smooth", and back.
const char* automation_shape_name(AutomationShape shape);
std::optional<AutomationShape> automation_shape_from_name(std::string_view name);

// The fraction of the way from v_i to v_{i+1} the curve has gone at fraction t (0..1) of the segment.
inline double automation_fraction(AutomationShape shape, double t) {
    switch (shape) {
        case AutomationShape::Hold:
            return 0.0;
        case AutomationShape::Linear:
            return t;
        case AutomationShape::Smooth:
            return t * t * (3.0 - 2.0 * t);
    }
    return t;
}

struct AutomationPoint {
    double beat = 0.0;
    double value = 0.0;
    AutomationShape shape = AutomationShape::Linear;  // of the segment from this point to the next

    friend bool operator==(const AutomationPoint&, const AutomationPoint&) = default;
};

// Which control a lane moves: "level" or "pan" of a track or bus, "send:BUS_ID" (the level of a
// track's send to that bus), or the master's "level" (id 0): a gain after the master inserts, on top of
// the engine's master fader (which is the engine's setting, not the document's).
enum class AutomationOwner : std::uint8_t { Track, Bus, Master };

struct AutomationTarget {
    AutomationOwner owner = AutomationOwner::Track;
    std::uint64_t id = 0;  // the track's or bus's id
    std::string control = "level";

    friend bool operator==(const AutomationTarget&, const AutomationTarget&) = default;
};

// The kinds of control, parsed from AutomationTarget::control.
enum class AutomatedControl : std::uint8_t { Level, Pan, SendLevel, MasterLevel };
struct ParsedControl {
    AutomatedControl control = AutomatedControl::Level;
    std::uint64_t bus = 0;  // SendLevel: the bus the send goes to
};
// nullopt, with *error, for a control the owner does not have (a bus has no sends), or one not spelt
// the one way ("send:07" for "send:7").
std::optional<ParsedControl> parse_automated_control(AutomationOwner owner, std::string_view control,
                                                     std::string* error);
// The range of values the control takes: [*low, *high].
void automated_control_range(AutomatedControl control, double* low, double* high);

const char* automation_owner_name(AutomationOwner owner);  // "track", "bus", "master"
std::optional<AutomationOwner> automation_owner_from_name(std::string_view name);

struct AutomationLane {
    AutomationTarget target;
    std::vector<AutomationPoint> points;  // sorted by beat (an edit sorts them, stable)

    friend bool operator==(const AutomationLane&, const AutomationLane&) = default;
};

// The order Document::automation keeps its lanes in: tracks' before buses', then by id, then control.
bool automation_target_less(const AutomationTarget& a, const AutomationTarget& b);

// The value of `points` (sorted) at `beat`, by the rules above with beats for frames (the engine
// evaluates in frames); nullopt for no points.
std::optional<double> automation_value_at_beat(const std::vector<AutomationPoint>& points, double beat);

// The first problem with a lane's points (a value outside the control's range, a beat outside
// 0..max_beat or not a number), as "automation point N: ..."; "" when none.
std::string check_automation_points(AutomatedControl control, const std::vector<AutomationPoint>& points,
                                    double max_beat);

}  // namespace tactus
