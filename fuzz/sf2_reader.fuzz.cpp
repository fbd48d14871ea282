// libFuzzer target for the SoundFont reader (src/engine/soundfont/sf2_reader.h), with oracles:
//  - a refused font gives an error "<path>: byte N: ..." with N within the input;
//  - a font read with its sample data (Load) and without (Skip) agree on presets, instruments and
//    sample headers (SF3 positions aside, which only decoding gives);
//  - every index the reader hands on is in range: zone targets, sample frames within the data, and
//    select_voices on every preset for a few keys and velocities gives voices whose sample lies in
//    the font's data and whose modulator count fits.
#include "engine/soundfont/sf2_reader.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/soundfont/voice_setup.h"

namespace {

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "sf2_reader_fuzz: %s\n", what.c_str());
    std::abort();
}

void check_refusal(const std::string& error, std::size_t size) {
    const std::string prefix = "fuzz.sf2: byte ";
    if (error.rfind(prefix, 0) != 0) {
        if (error == "fuzz.sf2: out of memory reading the font") return;
        die("an error without a byte offset: " + error);
    }
    const std::size_t at = std::strtoull(error.c_str() + prefix.size(), nullptr, 10);
    if (at > size) die("an error offset past the input: " + error);
}

void check_font(const tactus::sf2::SoundFont& font, bool loaded) {
    using namespace tactus::sf2;
    for (const Preset& p : font.presets) {
        for (const Zone& z : p.zones) {
            if (z.target >= font.instruments.size()) die("a preset zone's instrument is out of range");
        }
    }
    for (const auto& i : font.instruments) {
        for (const Zone& z : i.zones) {
            if (z.target >= font.samples.size()) die("an instrument zone's sample is out of range");
        }
    }
    for (const Sample& s : font.samples) {
        if (s.start > s.end) die("a sample starts after its end");
        if (loaded && s.end > font.data.size()) die("a sample ends past the data");
        if (loaded && s.start != s.end &&
            (s.loop_start < s.start || s.loop_start >= s.loop_end || s.loop_end > font.data.size())) {
            die("a loop outside the sample data: " + s.name);
        }
    }
    if (!font.data24.empty() && font.data24.size() != font.data.size()) die("sm24 and smpl differ in length");
    for (std::size_t i = 1; i < font.presets.size(); ++i) {
        const Preset& a = font.presets[i - 1];
        const Preset& b = font.presets[i];
        if (a.bank > b.bank || (a.bank == b.bank && a.program > b.program)) die("presets not sorted");
    }
    static VoiceSetup voices[kMaxVoicesPerNote];
    for (const Preset& p : font.presets) {
        if (font.find_preset(p.bank, p.program) == nullptr) die("find_preset misses a preset");
        for (int key : {0, 60, 127}) {
            for (int velocity : {1, 100, 127}) {
                const int n = select_voices(font, p, key, velocity, 0.0, voices);
                if (n < 0 || n > kMaxVoicesPerNote) die("select_voices count out of range");
                for (int v = 0; v < n; ++v) {
                    const VoiceSetup& s = voices[v];
                    if (s.sample == nullptr || s.font != &font) die("a voice without sample or font");
                    if (s.modulator_count < 0 || s.modulator_count > kMaxVoiceModulators)
                        die("modulator count");
                    if (s.sample->end > font.data.size()) die("a voice's sample is past the data");
                }
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tactus::sf2;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    std::string load_error, skip_error;
    const auto loaded = read_sound_font(bytes, "fuzz.sf2", SampleData::Load, &load_error);
    const auto skipped = read_sound_font(bytes, "fuzz.sf2", SampleData::Skip, &skip_error);
    if (!skipped) {
        check_refusal(skip_error, size);
        if (loaded) die("Skip refused what Load read: " + skip_error);
    }
    if (!loaded) check_refusal(load_error, size);
    if (skipped) {
        check_font(*skipped, false);
        if (!skipped->data.empty()) die("Skip read sample data");
    }
    if (loaded) {
        check_font(*loaded, true);
        if (loaded->presets.size() != skipped->presets.size() ||
            loaded->instruments.size() != skipped->instruments.size() ||
            loaded->samples.size() != skipped->samples.size()) {
            die("Load and Skip disagree");
        }
    }
    return 0;
}
