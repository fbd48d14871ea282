// Decodes one Ogg Vorbis compressed sample of an SF3 font (MuseScore's format: each sample's bytes in
// the smpl chunk are a complete Ogg Vorbis stream) with libsndfile's virtual I/O, to 16-bit frames.
//
// Threading: plain function, the reader's thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tactus::sf2 {

// Appends the decoded frames (mono, or the first channel of a multi-channel stream) to `out` and
// returns their number; -1 with *error set when the bytes are not a readable Ogg Vorbis stream or
// would make `out` longer than `max_frames` (a small stream can decode to a lot of audio).
std::int64_t decode_vorbis_sample(std::string_view ogg, std::vector<std::int16_t>& out,
                                  std::size_t max_frames, std::string* error);

}  // namespace tactus::sf2
