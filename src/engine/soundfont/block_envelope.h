// The volume or modulation envelope of a SoundFont voice, stepped once per control block as
// FluidSynth 2.3 steps it (fluid_adsr_env.h): each section holds for a number of blocks and moves the
// value linearly (value = coeff * value + increment, clamped to [min, max]; leaving the range ends the
// section early). The value is 0..1: linear amplitude in the attack, 1 - attenuation / 96 dB after it
// (volume), or the modulation depth (modulation envelope).
// Plain data, audio thread only.
#pragma once

#include <array>
#include <cstdint>

namespace tactus::sf2 {

class BlockEnvelope {
public:
    enum Section : int { Delay, Attack, Hold, Decay, Sustain, Release, Finished, kSectionCount };

    struct SectionData {
        std::uint32_t blocks = 0xffffffffU;
        double coeff = 1.0;
        double increment = 0.0;
        double min = -1.0;
        double max = 2.0;
    };

    void reset() {
        data_[Sustain] = {0xffffffffU, 1.0, 0.0, -1.0, 2.0};
        data_[Finished] = {0xffffffffU, 0.0, 0.0, -1.0, 1.0};
        section_ = Delay;
        count_ = 0;
        value_ = 0.0;
    }
    void set(Section s, std::uint32_t blocks, double coeff, double increment, double min, double max) {
        data_[static_cast<std::size_t>(s)] = {blocks, coeff, increment, min, max};
    }
    // One control block. `hold_decay_end` (volume envelope): reaching the end of the decay section
    // sets the value to the sustain level (FluidSynth does so for the volume envelope only).
    void step(bool hold_decay_end) {
        const SectionData* d = &data_[static_cast<std::size_t>(section_)];
        while (count_ >= d->blocks) {
            if (section_ == Decay && hold_decay_end) value_ = d->min * d->coeff;
            section_ = static_cast<Section>(section_ + 1);
            d = &data_[static_cast<std::size_t>(section_)];
            count_ = 0;
        }
        double x = d->coeff * value_ + d->increment;
        if (x < d->min) {
            x = d->min;
            section_ = static_cast<Section>(section_ + 1);
            count_ = 0;
        } else if (x > d->max) {
            x = d->max;
            section_ = static_cast<Section>(section_ + 1);
            count_ = 0;
        } else {
            ++count_;
        }
        value_ = x;
    }
    void enter(Section s) {
        section_ = s;
        count_ = 0;
    }
    void set_value(double v) { value_ = v; }

    Section section() const { return section_; }
    double value() const { return value_; }

private:
    std::array<SectionData, kSectionCount> data_{};
    std::uint32_t count_ = 0;
    double value_ = 0.0;
    Section section_ = Delay;
};

// A SoundFont LFO as FluidSynth 2.3 runs it (fluid_lfo.h): a triangle from 0 upwards, -1..1, moved
// once per control block once the voice is older than its delay.
struct BlockLfo {
    double value = 0.0;
    double increment = 0.0;  // per block
    std::uint64_t delay_frames = 0;

    void step(std::uint64_t age_frames) {
        if (age_frames < delay_frames) return;
        value += increment;
        if (value > 1.0) {
            increment = -increment;
            value = 2.0 - value;
        } else if (value < -1.0) {
            increment = -increment;
            value = -2.0 - value;
        }
    }
};

}  // namespace tactus::sf2
