// The "pdta" list of a SoundFont: the nine fixed-size record tables (presets, instruments, their bags,
// generators and modulators, sample headers) checked and turned into SoundFont presets, instruments
// and samples, each global zone folded into its local zones.
//
// Threading: plain function, the reader's thread. Throws FormatError (riff_chunks.h).
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/soundfont/sound_font.h"

namespace tactus::sf2 {

// One pdta sub-chunk's payload and where it starts in the file (for error offsets).
struct PdtaTable {
    std::string_view bytes;
    std::uint64_t offset = 0;  // of the chunk header (records start 8 bytes later)
    bool present = false;
};

struct PdtaTables {
    PdtaTable phdr, pbag, pmod, pgen, inst, ibag, imod, igen, shdr;
};

// What the sample headers are checked against: the smpl chunk's size in frames (SF2), or in bytes
// for Ogg Vorbis compressed samples (SF3, sample type flag 0x10), whose start/end are byte offsets.
struct SampleChunkSize {
    std::uint64_t frames = 0;
    std::uint64_t bytes = 0;
};

inline constexpr std::uint16_t kSampleTypeRom = 0x8000;
inline constexpr std::uint16_t kSampleTypeVorbis = 0x10;

// Fills font.presets (sorted by bank, program), font.instruments and font.samples.
void read_pdta(const PdtaTables& tables, SampleChunkSize smpl, SoundFont& font);

// Fixes a sample's loop the way FluidSynth does for real fonts whose loops are slightly off: a loop
// start outside [start, loop_end) becomes start, a loop end past the data (or not after the loop
// start) becomes end. A loop end past the sample's end but within the data is kept (FluidSynth plays
// it). `data_frames` is the size of the sample data in frames.
void fix_up_loop(Sample& sample, std::uint64_t data_frames);

}  // namespace tactus::sf2
