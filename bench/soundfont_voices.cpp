// Sustained SoundFont voices per core, Tactus against FluidSynth, side by side in one run (issue 14).
//
//   bench_soundfont_voices [FONT] [BANK:PROGRAM]      (default FluidR3_GM.sf2, 0:48 strings)
//
// Both play one looped preset at 48 kHz, reverb and chorus off, notes held (no release), rendered on
// this one thread in 256-frame blocks: FluidSynth through libfluidsynth (polyphony raised to 65535,
// 256 MIDI channels so no key repeats), Tactus through make_instrument with a soundfont track, as many
// tracks as it takes (each track holds up to 256 voices), their outputs summed as the mixer sums them.
// The voices counted are the ones sounding: FluidSynth's active voice count, Tactus's active voices
// (a note starts one voice per zone it plays: a stereo pair is two). For a voice count, the load is
// thread CPU time / audio time over 2 s of audio after a 0.5 s warm-up (attacks done); the count is
// doubled until the load passes 100% and then bisected: the largest count measured under 100% is
// "voices in real time on one core", also given as voices / load at that count.
#include <fluidsynth.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/score.h"
#include "engine/instrument_factory.h"
#include "engine/soundfont/soundfont_instrument.h"

namespace {

constexpr double kRate = 48000.0;
constexpr int kBlock = 256;
constexpr double kWarmupSeconds = 0.5;
constexpr double kMeasureSeconds = 2.0;
constexpr int kLowKey = 28, kHighKey = 103;  // the keys notes are spread over

double thread_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// One side of the comparison: starts held notes until `voices` sound, renders, counts.
class Player {
public:
    virtual ~Player() = default;
    virtual const char* name() const = 0;
    // Starts notes until at least `voices` voices sound; returns how many notes it started.
    virtual int start(int voices) = 0;
    virtual void render(float* left, float* right) = 0;  // kBlock frames
    virtual int sounding() const = 0;
    virtual void stop() = 0;  // every voice off, at once
};

class FluidSynthPlayer final : public Player {
public:
    FluidSynthPlayer(const std::string& font, int bank, int program) : bank_(bank), program_(program) {
        settings_ = new_fluid_settings();
        fluid_settings_setnum(settings_, "synth.sample-rate", kRate);
        fluid_settings_setint(settings_, "synth.reverb.active", 0);
        fluid_settings_setint(settings_, "synth.chorus.active", 0);
        fluid_settings_setint(settings_, "synth.polyphony", 65535);
        fluid_settings_setint(settings_, "synth.midi-channels", 256);
        fluid_settings_setint(settings_, "synth.cpu-cores", 1);
        synth_ = new_fluid_synth(settings_);
        font_id_ = fluid_synth_sfload(synth_, font.c_str(), 1);
        if (font_id_ == FLUID_FAILED) {
            std::fprintf(stderr, "FluidSynth cannot load %s\n", font.c_str());
            std::exit(1);
        }
    }
    ~FluidSynthPlayer() override {
        delete_fluid_synth(synth_);
        delete_fluid_settings(settings_);
    }
    const char* name() const override { return "FluidSynth 2.3"; }
    int start(int voices) override {
        int notes = 0;
        for (int channel = 0; channel < 256 && sounding() < voices; ++channel) {
            fluid_synth_program_select(synth_, channel, font_id_, static_cast<unsigned>(bank_),
                                       static_cast<unsigned>(program_));
            for (int key = kLowKey; key <= kHighKey && sounding() < voices; ++key, ++notes)
                fluid_synth_noteon(synth_, channel, key, 100);
        }
        return notes;
    }
    void render(float* left, float* right) override {
        fluid_synth_write_float(synth_, kBlock, left, 0, 1, right, 0, 1);
    }
    int sounding() const override { return fluid_synth_get_active_voice_count(synth_); }
    void stop() override {
        fluid_synth_all_sounds_off(synth_, -1);
        std::vector<float> l(kBlock), r(kBlock);
        render(l.data(), r.data());  // the voices are freed on the next block
    }

private:
    fluid_settings_t* settings_ = nullptr;
    fluid_synth_t* synth_ = nullptr;
    int font_id_ = FLUID_FAILED;
    int bank_, program_;
};

class TactusPlayer final : public Player {
public:
    TactusPlayer(const std::string& font, int bank, int program) {
        track_.instrument = "soundfont";
        track_.soundfont = font;
        track_.bank = bank;
        track_.program = program;
        add_track();  // reads the font (once, shared by every track)
    }
    const char* name() const override { return "Tactus"; }
    int start(int voices) override {
        int notes = 0;
        for (std::size_t t = 0; sounding() < voices; ++t) {
            if (t == tracks_.size()) add_track();
            tactus::Instrument& instrument = *tracks_[t];
            // Up to 120 voices a track (60 stereo notes): well under its 256, so none is stolen.
            for (int key = kLowKey; key <= kHighKey && sounding() < voices && count(t) < 120; ++key, ++notes)
                instrument.note_on(next_key_++, key, 0.0, 100);
            if (count(t) == 0) {
                std::fprintf(stderr, "Tactus: the preset sounds no voice\n");
                std::exit(1);
            }
        }
        return notes;
    }
    void render(float* left, float* right) override {
        std::fill(left, left + kBlock, 0.0f);
        std::fill(right, right + kBlock, 0.0f);
        for (auto& track : tracks_) {
            if (track->is_silent()) continue;
            track->render(l_.data(), r_.data(), kBlock);
            for (int i = 0; i < kBlock; ++i) {
                left[i] += l_[static_cast<std::size_t>(i)];
                right[i] += r_[static_cast<std::size_t>(i)];
            }
        }
    }
    int sounding() const override {
        int n = 0;
        for (std::size_t t = 0; t < tracks_.size(); ++t) n += count(t);
        return n;
    }
    void stop() override { tracks_.clear(); }

private:
    int count(std::size_t t) const {
        return static_cast<const tactus::SoundFontInstrument&>(*tracks_[t]).active_voices();
    }
    void add_track() {
        std::string error;
        auto instrument = tactus::make_instrument(track_, kRate, &error);
        if (!instrument || !instrument->wait_until_ready(&error)) {
            std::fprintf(stderr, "Tactus: %s\n", error.c_str());
            std::exit(1);
        }
        if (dynamic_cast<tactus::SoundFontInstrument*>(instrument.get()) == nullptr) {
            std::fprintf(stderr, "Tactus: the soundfont track did not make a SoundFontInstrument\n");
            std::exit(1);
        }
        tracks_.push_back(std::move(instrument));
    }

    tactus::Track track_;
    std::vector<std::unique_ptr<tactus::Instrument>> tracks_;
    tactus::VoiceKey next_key_ = 1;
    std::vector<float> l_ = std::vector<float>(kBlock), r_ = std::vector<float>(kBlock);
};

struct Measurement {
    int voices = 0;     // sounding at the end of the measurement
    double load = 0.0;  // CPU seconds per audio second
};

Measurement measure(Player& player, int voices) {
    player.start(voices);
    std::vector<float> l(kBlock), r(kBlock);
    const auto blocks = [](double seconds) { return static_cast<int>(seconds * kRate / kBlock); };
    for (int b = 0; b < blocks(kWarmupSeconds); ++b) player.render(l.data(), r.data());
    const double begin = thread_seconds();
    for (int b = 0; b < blocks(kMeasureSeconds); ++b) player.render(l.data(), r.data());
    const double cpu = thread_seconds() - begin;
    Measurement m{player.sounding(), cpu / (blocks(kMeasureSeconds) * kBlock / kRate)};
    player.stop();
    return m;
}

void report(const Measurement& m) {
    std::printf("  %5d voices: %6.1f%% of one core\n", m.voices, 100.0 * m.load);
    std::fflush(stdout);
}

// Doubles, then bisects; returns the largest measurement under 100% load.
Measurement voices_in_real_time(Player& player) {
    std::printf("%s\n", player.name());
    Measurement best;
    int low = 0, high = 0;
    for (int n = 64; n <= 65536; n *= 2) {
        const Measurement m = measure(player, n);
        report(m);
        if (m.voices < n) {  // could not start that many
            best = m.load < 1.0 ? m : best;
            return best;
        }
        if (m.load >= 1.0) {
            high = n;
            break;
        }
        best = m;
        low = n;
    }
    while (high - low > std::max(16, low / 32)) {
        const int mid = (low + high) / 2;
        const Measurement m = measure(player, mid);
        report(m);
        if (m.load < 1.0) {
            best = m;
            low = mid;
        } else {
            high = mid;
        }
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string font = argc > 1 ? argv[1] : "/usr/share/sounds/sf2/FluidR3_GM.sf2";
    int bank = 0, program = 48;
    if (argc > 2 && std::sscanf(argv[2], "%d:%d", &bank, &program) != 2) {
        std::fprintf(stderr, "usage: bench_soundfont_voices [FONT] [BANK:PROGRAM]\n");
        return 2;
    }
    std::printf("Sustained voices of %s %d:%d at 48 kHz, 256-frame blocks, one thread\n", font.c_str(), bank,
                program);
    FluidSynthPlayer fluid(font, bank, program);
    TactusPlayer tactus(font, bank, program);
    // Alternating sides (FluidSynth, Tactus, then each again) so that neither gets the quieter machine.
    std::vector<std::pair<const char*, Measurement>> results;
    for (int round = 0; round < 2; ++round)
        for (Player* player : {static_cast<Player*>(&fluid), static_cast<Player*>(&tactus)})
            results.emplace_back(player->name(), voices_in_real_time(*player));
    std::printf(
        "\nvoices in real time on one core (largest count measured under 100%%; voices / load there):\n");
    for (const auto& [name, m] : results)
        std::printf("  %-16s %6d   (%.0f)\n", name, m.voices, m.load > 0 ? m.voices / m.load : 0.0);
    return 0;
}
