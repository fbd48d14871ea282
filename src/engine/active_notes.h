// The score notes the sequencer has started and not yet ended, so that stop, locate and loop wrap
// release exactly those (and not, say, an audition). Fixed capacity: no allocation after
// construction. Audio-thread only.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/instrument.h"

namespace tactus {

class ActiveNotes {
public:
    explicit ActiveNotes(std::size_t capacity = 8192) { notes_.reserve(capacity); }

    // Returns false when full (the caller then falls back to releasing whole instruments).
    bool add(std::uint32_t track, VoiceKey key) {
        if (notes_.size() == notes_.capacity()) return false;
        notes_.push_back({track, key});
        return true;
    }
    void remove(std::uint32_t track, VoiceKey key) {
        for (std::size_t i = 0; i < notes_.size(); ++i) {
            if (notes_[i].track == track && notes_[i].key == key) {
                notes_[i] = notes_.back();
                notes_.pop_back();
                return;
            }
        }
    }
    template <class Fn>
    void release_all(Fn&& fn) {
        for (const auto& n : notes_) fn(n.track, n.key);
        notes_.clear();
    }
    bool overflowed() const { return overflowed_; }
    void set_overflowed(bool v) { overflowed_ = v; }
    std::size_t size() const { return notes_.size(); }

private:
    struct Entry {
        std::uint32_t track;
        VoiceKey key;
    };
    std::vector<Entry> notes_;
    bool overflowed_ = false;
};

}  // namespace tactus
