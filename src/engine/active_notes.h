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
    bool add(std::uint32_t track, VoiceKey key, int pitch = 0, float cents = 0.0f) {
        if (notes_.size() == notes_.capacity()) return false;
        notes_.push_back({track, key, static_cast<std::int16_t>(pitch), cents, false});
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
    bool contains(std::uint32_t track, VoiceKey key) const {
        for (const auto& n : notes_)
            if (n.key == key && n.track == track) return true;
        return false;
    }
    // After an edit: mark the notes still sounding as they are, then release the rest.
    void clear_marks() {
        for (auto& n : notes_) n.marked = false;
    }
    void mark(std::uint32_t track, VoiceKey key, int pitch, float cents) {
        for (auto& n : notes_)
            if (n.key == key && n.track == track && n.pitch == pitch && n.cents == cents) n.marked = true;
    }
    template <class Fn>
    void release_unmarked(Fn&& fn) {
        for (std::size_t i = 0; i < notes_.size();) {
            if (notes_[i].marked) {
                ++i;
                continue;
            }
            fn(notes_[i].track, notes_[i].key);
            notes_[i] = notes_.back();
            notes_.pop_back();
        }
    }
    bool overflowed() const { return overflowed_; }
    void set_overflowed(bool v) { overflowed_ = v; }
    std::size_t size() const { return notes_.size(); }

private:
    struct Entry {
        std::uint32_t track;
        VoiceKey key;
        std::int16_t pitch;
        float cents;
        bool marked;
    };
    std::vector<Entry> notes_;
    bool overflowed_ = false;
};

}  // namespace tactus
