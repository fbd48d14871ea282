#include "core/midi_tuning.h"

namespace tactus {

MidiScaleTuning::MidiScaleTuning(const MidiFile& file) {
    for (const MidiTrackChunk& track : file.tracks)
        for (const MidiEvent& e : track.events) {
            if (e.kind != MidiEventKind::Sysex) continue;
            const std::vector<std::uint8_t>& d = e.data;
            // 7E|7F, device, 08 (MIDI tuning), 08 (1-byte) | 09 (2-byte), three channel-mask bytes.
            if (d.size() < 7 || (d[0] != 0x7E && d[0] != 0x7F) || d[2] != 0x08 ||
                (d[3] != 0x08 && d[3] != 0x09))
                continue;
            const bool two_bytes = d[3] == 0x09;
            if (d.size() < 7 + (two_bytes ? 24u : 12u)) continue;
            Scale scale{};
            for (std::size_t i = 0; i < 12; ++i) {
                if (two_bytes) {
                    const int value = ((d[7 + 2 * i] & 0x7F) << 7) | (d[8 + 2 * i] & 0x7F);
                    scale[i] = (value - 8192) * 100.0 / 8192.0;  // 0 = -100 cents, 16383 = +99.99
                } else {
                    scale[i] = (d[7 + i] & 0x7F) - 64;  // 0 = -64 cents, 0x7F = +63
                }
            }
            // Channel mask: ff holds channels 15..14 (bits 1..0), gg 13..7, hh 6..0.
            const std::uint32_t mask = (std::uint32_t(d[4] & 0x03) << 14) |
                                       (std::uint32_t(d[5] & 0x7F) << 7) | std::uint32_t(d[6] & 0x7F);
            for (int channel = 0; channel < 16; ++channel)
                if (mask & (1U << channel)) by_channel_[std::size_t(channel)][e.tick] = scale;
            ++messages_;
        }
}

double MidiScaleTuning::cents(int channel, int pitch, std::uint64_t tick) const {
    if (channel < 0 || channel > 15) return 0.0;
    const auto& changes = by_channel_[std::size_t(channel)];
    auto it = changes.upper_bound(tick);
    if (it == changes.begin()) return 0.0;
    return std::prev(it)->second[std::size_t(((pitch % 12) + 12) % 12)];
}

}  // namespace tactus
