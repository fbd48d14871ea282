#include "engine/soundfont/font_library.h"

#include <filesystem>
#include <system_error>

#include "core/general_midi_font.h"
#include "engine/soundfont/sf2_reader.h"

namespace tactus::sf2 {

namespace fs = std::filesystem;

namespace {
constexpr std::size_t kHeadersKept = 8;
}

std::string font_not_found(const std::string& path, const std::string& reason) {
    std::string message = "cannot open the SoundFont " + path + ": " + reason;
    if (fs::path(path).lexically_normal() == fs::path(kGeneralMidiFont))
        message += std::string(" (Debian's ") + kGeneralMidiFontPackage +
                   " package installs it: apt-get install " + kGeneralMidiFontPackage + ", or make demo)";
    return message;
}

bool FontHandle::wait(std::string* error) const {
    std::unique_lock lock(mutex_);
    finished_.wait(lock, [this] { return done_; });
    if (!font_ && error) *error = error_;
    return font_ != nullptr;
}

bool FontHandle::done() const {
    std::lock_guard lock(mutex_);
    return done_;
}

void FontHandle::finish(std::shared_ptr<const SoundFont> font, std::string error) {
    {
        std::lock_guard lock(mutex_);
        font_ = std::move(font);
        error_ = std::move(error);
        done_ = true;
        ready_.store(font_.get(), std::memory_order_release);
    }
    finished_.notify_all();
}

FontLibrary& FontLibrary::shared() {
    static FontLibrary library;
    return library;
}

FontLibrary::FontLibrary() : loader_([this] { run_loader(); }) {}

FontLibrary::~FontLibrary() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    queued_.notify_all();
    loader_.join();
    for (auto& handle : queue_) handle->finish(nullptr, "the program ended before the font was read");
}

std::string FontLibrary::key_of(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    const auto time = fs::last_write_time(path, ec);
    return path + '\n' + std::to_string(size) + '\n' + std::to_string(time.time_since_epoch().count());
}

std::shared_ptr<FontHandle> FontLibrary::load(const std::string& path) {
    const std::string key = key_of(path);
    std::lock_guard lock(mutex_);
    if (auto it = fonts_.find(key); it != fonts_.end())
        if (auto held = it->second.lock()) return held;
    std::erase_if(fonts_, [](const auto& entry) { return entry.second.expired(); });
    auto handle = std::make_shared<FontHandle>(path);
    fonts_[key] = handle;
    queue_.push_back(handle);
    queued_.notify_one();
    return handle;
}

namespace {
// "" when `path` is a regular file, else why it cannot be read as a font (font_not_found).
std::string unopenable(const std::string& path) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return {};
    return font_not_found(path, fs::exists(path, ec) ? "not a regular file" : "no such file");
}
}  // namespace

std::shared_ptr<const SoundFont> FontLibrary::headers(const std::string& path, std::string* error) {
    if (std::string why = unopenable(path); !why.empty()) {
        if (error) *error = std::move(why);
        return nullptr;
    }
    const std::string key = key_of(path);
    {
        std::lock_guard lock(mutex_);
        if (auto it = fonts_.find(key); it != fonts_.end())
            if (auto held = it->second.lock(); held && held->ready()) return held->font_;
        if (auto it = headers_.find(key); it != headers_.end()) return it->second;
    }
    auto font = read_sound_font_file(path, SampleData::Skip, error);
    if (!font) return nullptr;
    std::lock_guard lock(mutex_);
    if (headers_.emplace(key, font).second) headers_order_.push_back(key);
    while (headers_order_.size() > kHeadersKept) {
        headers_.erase(headers_order_.front());
        headers_order_.pop_front();
    }
    return font;
}

void FontLibrary::run_loader() {
    for (;;) {
        std::shared_ptr<FontHandle> next;
        {
            std::unique_lock lock(mutex_);
            queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            next = std::move(queue_.front());
            queue_.pop_front();
        }
        std::string error = unopenable(next->path());
        std::shared_ptr<const SoundFont> font;
        if (error.empty()) font = read_sound_font_file(next->path(), SampleData::Load, &error);
        next->finish(std::move(font), std::move(error));
    }
}

}  // namespace tactus::sf2
