#include "engine/soundfont/voice_setup.h"

#include "engine/soundfont/default_modulators.h"

namespace tactus::sf2 {

namespace {

// Spec 8.1.3 defaults for generators an instrument zone does not set (Keynum, Velocity and
// OverridingRootKey: -1, "not set").
constexpr std::array<std::int32_t, kGenCount> make_defaults() {
    std::array<std::int32_t, kGenCount> d{};
    d[InitialFilterFc] = 13500;
    for (Gen g : {DelayModLfo, DelayVibLfo, DelayModEnv, AttackModEnv, HoldModEnv, DecayModEnv, ReleaseModEnv,
                  DelayVolEnv, AttackVolEnv, HoldVolEnv, DecayVolEnv, ReleaseVolEnv}) {
        d[g] = -12000;
    }
    d[Keynum] = -1;
    d[Velocity] = -1;
    d[ScaleTuning] = 100;
    d[OverridingRootKey] = -1;
    return d;
}
constexpr std::array<std::int32_t, kGenCount> kDefaults = make_defaults();

// Preset zones offset every generator but the instrument-only ones and the structural ones (spec 8.5).
constexpr bool preset_may_offset(unsigned g) {
    return !instrument_only(g) && g != InstrumentId && g != KeyRange && g != VelRange;
}

enum class ModMode { Overwrite, Add };

// FluidSynth's fluid_voice_add_mod: an identical modulator already on the voice gets the new amount
// (instrument level) or the sum (preset level); otherwise it is appended while there is room.
void add_modulator(VoiceSetup& v, const Modulator& m, ModMode mode) {
    for (int i = 0; i < v.modulator_count; ++i) {
        Modulator& have = v.modulators[static_cast<std::size_t>(i)];
        if (!have.identical(m)) continue;
        if (mode == ModMode::Overwrite) {
            have.amount = m.amount;
        } else {
            const int sum = have.amount + m.amount;
            have.amount = static_cast<std::int16_t>(sum < -32768 ? -32768 : (sum > 32767 ? 32767 : sum));
        }
        return;
    }
    if (v.modulator_count < kMaxVoiceModulators)
        v.modulators[static_cast<std::size_t>(v.modulator_count++)] = m;
}

}  // namespace

int select_voices(const SoundFont& font, const Preset& preset, int key, int velocity, double cents,
                  VoiceSetup* out) {
    int n = 0;
    for (const Zone& pz : preset.zones) {
        if (!pz.covers(key, velocity) || pz.target >= font.instruments.size()) continue;
        const struct Instrument& instrument = font.instruments[pz.target];
        for (const Zone& iz : instrument.zones) {
            if (!iz.covers(key, velocity) || iz.target >= font.samples.size()) continue;
            const Sample& sample = font.samples[iz.target];
            if (sample.start == sample.end) continue;  // ROM or unusable: nothing to play
            // A font read with SampleData::Skip has no data: nothing to play either (never a voice
            // reading past the data).
            if (sample.end > font.data.size()) continue;
            if (n == kMaxVoicesPerNote) return n;
            VoiceSetup& v = out[n++];
            v.gens = kDefaults;
            for (unsigned g = 0; g < static_cast<unsigned>(kGenCount); ++g) {
                if (iz.has(static_cast<Gen>(g))) v.gens[g] = iz.values[g];
            }
            for (unsigned g = 0; g < static_cast<unsigned>(kGenCount); ++g) {
                if (pz.has(static_cast<Gen>(g)) && preset_may_offset(g)) v.gens[g] += pz.values[g];
            }
            v.gens[KeyRange] = v.gens[VelRange] = v.gens[InstrumentId] = 0;
            v.gens[SampleId] = static_cast<std::int32_t>(iz.target);
            v.modulator_count = 0;
            for (const Modulator& m : default_modulators())
                v.modulators[static_cast<std::size_t>(v.modulator_count++)] = m;
            for (const Modulator& m : iz.modulators) add_modulator(v, m, ModMode::Overwrite);
            for (const Modulator& m : pz.modulators) add_modulator(v, m, ModMode::Add);
            v.sample = &sample;
            v.font = &font;
            v.key = key;
            v.velocity = velocity;
            v.cents = cents;
        }
    }
    return n;
}

}  // namespace tactus::sf2
