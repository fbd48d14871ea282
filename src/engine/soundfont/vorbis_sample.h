// Decodes one Ogg Vorbis compressed sample of an SF3 font (MuseScore's format: each sample's bytes in
// the smpl chunk are a complete Ogg Vorbis stream) with libvorbisfile, to 16-bit frames.
//
// Why libvorbisfile and not libsndfile (which Tactus uses for audio files): Debian 12's libsndfile
// leaks libvorbis's info block (5.7 KB) on every stream whose headers do not parse, and a fuzzer
// feeds it thousands; libvorbisfile, opened as a non-seekable stream, frees everything on failure.
//
// Threading: plain functions, the reader's thread.
#pragma once

#include <cstddef>
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

// The frame count the stream announces (the granule position of its last Ogg page), for reserving the
// decoded data up front without decoding; -1 when there is no Ogg page. Only a claim: decoding decides.
std::int64_t vorbis_frame_count(std::string_view ogg);

}  // namespace tactus::sf2
