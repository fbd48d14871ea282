// A document's Csound tracks as Csound's own files: one .csd per orchestra, holding the orchestra, the
// options that make `csound` render it as Tactus does, and a score of the tracks' notes (and controller
// changes) placed on the frames Tactus plays them on (docs/csound-export.md).
//
// The frames come from the engine's own compilation of the score (ScoreSnapshot: timing.md's frames under
// the tempo map), and p2/p3 are the score-event formula of docs/research/csound-6.18-hosting.md (section
// 5), so Csound's truncations land each note on its first frame and end it on its last. p1 carries the
// same fraction the engine gives the note (the slot it holds), p4..p6 the same values.
//
// Threading: any thread but the audio thread (compiles orchestras, allocates).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/score.h"
#include "engine/csound/csound_orchestra_policy.h"

namespace tactus {

struct CsdExportOptions {
    double sample_rate = 48000.0;
    // The .csd to write. With several orchestras, one file each beside it: "song.csd" becomes
    // "song-bell.csd", "song-pluck.csd" (after the orchestras' file names).
    std::string output = "song.csd";
    CsoundPermissions csound;  // for compiling the orchestras (their ksmps, instrument numbers)
};

// One .csd: the orchestra file it holds and the document tracks (indices) whose notes it plays.
struct CsdFile {
    std::string path;        // where to write it
    std::string sound_file;  // the -o of its <CsOptions>: its own name with .wav, in Csound's directory
    std::string orchestra;   // the orchestra's path, as the (resolved) document names it
    std::vector<std::size_t> tracks;
    std::string text;             // the whole .csd
    std::size_t notes = 0;        // i-statements of notes
    std::size_t controllers = 0;  // i-statements of controller changes
};

struct CsdExportResult {
    std::vector<CsdFile> files;         // one per orchestra, in the order tracks first name them
    std::vector<std::string> warnings;  // tracks left out and why, notes the engine would not play
    std::string error;                  // set (and files empty) when nothing can be exported
};

// `doc`'s orchestra names must be resolved (core/document_files.h) and checked (check_instruments).
CsdExportResult export_csound(const Document& doc, const CsdExportOptions& options);

}  // namespace tactus
