#include "support/fluidsynth_render.h"

#include <fluidsynth.h>

#include <array>
#include <memory>

namespace tactus::test {

namespace {

// FluidSynth reports through global log handlers: gather its errors and warnings for our error text.
void collect_message(int level, const char* message, void* data) {
    auto* log = static_cast<std::string*>(data);
    if (!log->empty()) *log += "; ";
    *log += level <= FLUID_ERR ? "error: " : "warning: ";
    *log += message;
}

class LogCapture {
public:
    LogCapture() {
        for (int level : kLevels) previous_[level] = fluid_set_log_function(level, collect_message, &text);
        for (int level : {FLUID_INFO, FLUID_DBG}) fluid_set_log_function(level, nullptr, nullptr);
    }
    ~LogCapture() {
        for (int level : kLevels) fluid_set_log_function(level, previous_[level], nullptr);
    }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::string text;

private:
    static constexpr std::array kLevels{FLUID_PANIC, FLUID_ERR, FLUID_WARN};
    std::array<fluid_log_function_t, FLUID_DBG + 1> previous_{};
};

struct SettingsDeleter {
    void operator()(fluid_settings_t* s) const { delete_fluid_settings(s); }
};
struct SynthDeleter {
    void operator()(fluid_synth_t* s) const { delete_fluid_synth(s); }
};
struct PlayerDeleter {
    void operator()(fluid_player_t* p) const { delete_fluid_player(p); }
};

}  // namespace

FluidSynthAudio render_with_fluidsynth(const std::string& midi_path, const std::string& font_path,
                                       const FluidSynthRenderOptions& options) {
    FluidSynthAudio out;
    LogCapture log;
    const auto fail = [&](const std::string& what) {
        out.error = what + (log.text.empty() ? "" : " (FluidSynth: " + log.text + ")");
        out.left.clear();
        out.right.clear();
        return out;
    };
    if (!fluid_is_soundfont(font_path.c_str()))
        return fail(font_path + ": not a SoundFont FluidSynth can read");
    if (!fluid_is_midifile(midi_path.c_str()))
        return fail(midi_path + ": not a MIDI file FluidSynth can read");

    std::unique_ptr<fluid_settings_t, SettingsDeleter> settings(new_fluid_settings());
    fluid_settings_setnum(settings.get(), "synth.sample-rate", options.sample_rate);
    fluid_settings_setint(settings.get(), "synth.reverb.active", 0);
    fluid_settings_setint(settings.get(), "synth.chorus.active", 0);
    fluid_settings_setnum(settings.get(), "synth.gain", options.gain);
    fluid_settings_setint(settings.get(), "synth.polyphony", options.polyphony);
    // As the CLI's -F (fast render): the player's clock is the samples rendered, not the wall clock.
    fluid_settings_setstr(settings.get(), "player.timing-source", "sample");
    fluid_settings_setint(settings.get(), "synth.lock-memory", 0);

    std::unique_ptr<fluid_synth_t, SynthDeleter> synth(new_fluid_synth(settings.get()));
    if (!synth) return fail("FluidSynth: cannot create a synth");
    if (fluid_synth_sfload(synth.get(), font_path.c_str(), 1) == FLUID_FAILED)
        return fail(font_path + ": FluidSynth cannot load it");
    std::unique_ptr<fluid_player_t, PlayerDeleter> player(new_fluid_player(synth.get()));
    if (!player) return fail("FluidSynth: cannot create a MIDI player");
    if (fluid_player_add(player.get(), midi_path.c_str()) != FLUID_OK ||
        fluid_player_play(player.get()) != FLUID_OK)
        return fail(midi_path + ": FluidSynth cannot play it");

    // 64 frames a call, as the file renderer's default period (audio.period-size).
    constexpr int kBlock = 64;
    std::array<float, kBlock> left{}, right{};
    const auto render_block = [&] {
        fluid_synth_write_float(synth.get(), kBlock, left.data(), 0, 1, right.data(), 0, 1);
        out.left.insert(out.left.end(), left.begin(), left.end());
        out.right.insert(out.right.end(), right.begin(), right.end());
    };
    while (fluid_player_get_status(player.get()) == FLUID_PLAYER_PLAYING) render_block();
    if (options.render_tail) {
        const auto limit =
            out.left.size() + static_cast<std::size_t>(options.max_tail_seconds * options.sample_rate);
        while (fluid_synth_get_active_voice_count(synth.get()) > 0 && out.left.size() < limit) render_block();
    }
    fluid_player_stop(player.get());
    fluid_player_join(player.get());
    return out;
}

}  // namespace tactus::test
