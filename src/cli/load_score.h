// Loads a document for playback or inspection: parses it, checks every track's instrument, and
// prints each problem as "file: /json/path: message" to stderr. Orchestra names come back resolved
// against the file's directory (core/document_files.h), ready for the instrument factory.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "core/score.h"
#include "engine/csound/csound_orchestra_policy.h"

namespace tactus::cli {

// `csound`: what the user lets orchestras do besides making sound (--csound-allow). `soundfont`
// (--soundfont): for a MIDI file, the font its tracks play ("none": the built-in presets; "": the
// default General MIDI font when it is installed).
std::optional<Document> load_score_or_report(const std::string& path, const CsoundPermissions& csound = {},
                                             const std::string& soundfont = "");

// The --soundfont option of a command that reads MIDI files.
void add_soundfont_option(CLI::App* command, std::string* font);

// The --csound-allow option of a command that runs orchestras ("files,network", "all", "none").
void add_csound_allow_option(CLI::App* command, std::string* list);
// The permissions it names; nullopt, with the error printed, for a word it does not know.
std::optional<CsoundPermissions> csound_permissions_or_report(const std::string& list);

}  // namespace tactus::cli
