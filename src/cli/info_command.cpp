#include "cli/info_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/load_score.h"
#include "cli/time_format.h"

namespace tactus::cli {

namespace {

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

}  // namespace

void print_info(const Document& doc, std::ostream& out) {
    const double end_beat = doc.end_beat();
    out << "Title:    " << (doc.title.empty() ? "(untitled)" : doc.title) << "\n";
    out << "Duration: " << format_duration(doc.tempo.seconds_at(end_beat)) << " (" << fixed(end_beat, 3)
        << " beats)\n";
    out << "Notes:    " << doc.note_count() << " in " << doc.tracks.size() << " track"
        << (doc.tracks.size() == 1 ? "" : "s") << "\n";
    out << "Revision: " << doc.revision << "\n";

    out << "\nTracks:\n";
    for (const Track& t : doc.tracks) {
        // A csound track plays an instrument of its orchestra (its preset is unused).
        const std::string plays = t.instrument == "csound"
                                      ? "csound " + t.csound_instrument + " of " + t.orchestra
                                      : t.instrument + "/" + t.preset;
        out << "  " << t.id << "  " << (t.name.empty() ? "(unnamed)" : t.name) << "  " << plays << "  level "
            << fixed(t.level, 2) << "  pan " << fixed(t.pan, 2) << "  " << t.notes.size() << " notes";
        if (!t.controllers.empty()) out << ", " << t.controllers.size() << " controller events";
        if (t.mute) out << "  [muted]";
        if (t.solo) out << "  [solo]";
        out << "\n";
    }

    out << "\nTempo map:\n";
    const auto& points = doc.tempo.points();
    for (std::size_t i = 0; i < points.size(); ++i) {
        const TempoPoint& p = points[i];
        out << "  beat " << fixed(p.beat, 3) << " (" << format_duration(doc.tempo.seconds_at(p.beat)) << ")  "
            << fixed(p.bpm, 2) << " bpm";
        if (p.ramp && i + 1 < points.size()) out << "  ramp to " << fixed(points[i + 1].bpm, 2) << " bpm";
        out << "\n";
    }
    out << "\nMeter:\n";
    for (const TimeSignature& ts : doc.meter)
        out << "  bar " << ts.bar + 1 << "  " << ts.numerator << "/" << ts.denominator << "\n";
    if (!doc.markers.empty()) {
        out << "\nMarkers:\n";
        for (const Marker& m : doc.markers) out << "  beat " << fixed(m.beat, 3) << "  " << m.name << "\n";
    }
}

void add_info_command(CLI::App& app, int& exit_code) {
    auto path = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("info", "Show a score's tracks, note counts, duration and tempo map");
    cmd->add_option("score", *path, "Score document (.json)")->required();
    cmd->callback([path, &exit_code] {
        const auto doc = load_score_or_report(*path);
        if (!doc) {
            exit_code = 1;
            return;
        }
        print_info(*doc, std::cout);
        exit_code = 0;
    });
}

}  // namespace tactus::cli
