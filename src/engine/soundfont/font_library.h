// SoundFonts in memory, each file read once and shared by every track and every reload that uses it
// (a font stays while any track holds it; the same path, size and modification time is the same font).
//
// Threading: any thread but the audio thread may call FontLibrary (a mutex guards its index; no file
// is read under it). Whole fonts are read on the library's own loader thread: asking for a 150 MB font
// returns a handle at once, so the engine's control thread never waits for one. The audio thread only
// calls FontHandle::ready(), an atomic read; the font is freed with its last handle, which instruments
// release off the audio thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/soundfont/sound_font.h"

namespace tactus::sf2 {

class FontHandle {
public:
    explicit FontHandle(std::string path) : path_(std::move(path)) {}
    // Any thread (the audio thread too): the font once it is in memory; nullptr while it loads or
    // when it failed.
    const SoundFont* ready() const { return ready_.load(std::memory_order_acquire); }
    // Off the audio thread: waits until the font is read; false with *error when it could not be.
    bool wait(std::string* error) const;
    // Off the audio thread: true once reading ended (loaded or failed).
    bool done() const;
    const std::string& path() const { return path_; }

private:
    friend class FontLibrary;
    void finish(std::shared_ptr<const SoundFont> font, std::string error);

    const std::string path_;
    std::shared_ptr<const SoundFont> font_;
    std::atomic<const SoundFont*> ready_{nullptr};
    mutable std::mutex mutex_;
    mutable std::condition_variable finished_;
    bool done_ = false;
    std::string error_;
};

class FontLibrary {
public:
    // The process's library (tactusd and the CLI have one; tests share it).
    static FontLibrary& shared();
    FontLibrary();
    ~FontLibrary();
    FontLibrary(const FontLibrary&) = delete;
    FontLibrary& operator=(const FontLibrary&) = delete;

    // The whole font (samples too), read on the loader thread unless a track already holds it.
    std::shared_ptr<FontHandle> load(const std::string& path);
    // Presets, instruments and sample headers (no sample data; 16 ms for FluidR3_GM's 148 MB), read
    // now on the caller's thread unless the font is already in memory: for checking documents and
    // listing presets. nullptr with *error ("<path>: byte N: ...", or that it cannot be opened, naming
    // the package that installs the default font).
    std::shared_ptr<const SoundFont> headers(const std::string& path, std::string* error);

private:
    // The file's identity: a font rewritten in place is read again.
    static std::string key_of(const std::string& path);
    void run_loader();

    std::mutex mutex_;
    std::map<std::string, std::weak_ptr<FontHandle>> fonts_;
    std::map<std::string, std::shared_ptr<const SoundFont>> headers_;  // a few, most recent
    std::deque<std::string> headers_order_;
    std::deque<std::shared_ptr<FontHandle>> queue_;
    std::condition_variable queued_;
    bool stopping_ = false;
    std::thread loader_;
};

// The message for a font file that cannot be opened: names the path, and for the default font the
// Debian package that installs it.
std::string font_not_found(const std::string& path, const std::string& reason);

}  // namespace tactus::sf2
