// Reads a SoundFont 2 file (RIFF "sfbk"; SF3, with Ogg Vorbis samples, too) into a SoundFont.
// Every size, count and index is checked before it is used: a truncated or malformed file is refused
// with a message naming the file, the byte offset and what is wrong there, never a crash.
//
// Why not libinstpatch (Debian's SoundFont library): its reader crashes on malformed files (34 of 150
// mutated fonts segfaulted in ipatch_sf2_reader_load; docs/soundfont.md), and checking a file fully
// before handing it over is the whole of a reader.
//
// Threading: pure functions, any thread (fonts are read on a loader thread, never the audio thread).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/soundfont/sound_font.h"

namespace tactus::sf2 {

enum class SampleData {
    Load,  // presets, instruments and samples (what a track plays)
    Skip,  // presets, instruments and sample headers only (listing presets, checking a document)
};

// nullptr with *error set: "<path>: byte 1234: <what is wrong>".
std::shared_ptr<const SoundFont> read_sound_font(std::string_view bytes, const std::string& path,
                                                 SampleData samples, std::string* error);
std::shared_ptr<const SoundFont> read_sound_font_file(const std::string& path, SampleData samples,
                                                      std::string* error);

}  // namespace tactus::sf2
