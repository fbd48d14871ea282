#include "engine/lv2/lv2_instrument.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "engine/midi_channel_message.h"

namespace tactus {

namespace {

constexpr double kPanicFadeSeconds = 0.005;

}  // namespace

std::unique_ptr<Lv2Instrument> Lv2Instrument::create(const std::string& uri, double sample_rate,
                                                     int midi_channel,
                                                     const std::map<std::string, double>& parameters,
                                                     std::string* error, const std::string& state,
                                                     lv2::WorkerMode worker) {
    auto plugin = lv2::Plugin::create(uri, sample_rate, kChunk, error, worker);
    if (!plugin) return nullptr;
    for (const auto& [symbol, value] : parameters)
        if (const long i = plugin->control_index(symbol); i >= 0)
            plugin->set_control(std::size_t(i), static_cast<float>(value));
    if (!plugin->has_midi_input()) {
        if (error) *error = plugin->info().label() + " takes no MIDI: it is not an instrument";
        return nullptr;
    }
    // A state that cannot be restored fails the instrument: played without it, the plugin would not
    // sound as the document was saved.
    if (!plugin->restore_state(state, error)) return nullptr;
    return std::unique_ptr<Lv2Instrument>(new Lv2Instrument(std::move(plugin), sample_rate, midi_channel));
}

Lv2Instrument::Lv2Instrument(std::unique_ptr<lv2::Plugin> plugin, double sample_rate, int midi_channel)
    : plugin_(std::move(plugin)),
      channel_(static_cast<std::uint8_t>(std::clamp(midi_channel, 0, 15))),
      tail_(sample_rate),
      fade_frames_(std::max(1LL, static_cast<long long>(kPanicFadeSeconds * sample_rate))) {
    for (const lv2::PortInfo* port : plugin_->controls())
        parameters_.push_back({port->symbol, port->minimum, port->maximum, port->default_value});
    // What the plugin reports after one chunk (many report only once they have run).
    plugin_->run();
    latency_ = kChunk - 1 + plugin_->reported_latency();
}

void Lv2Instrument::send(std::uint8_t status, std::uint8_t a, std::uint8_t b, std::uint32_t size) {
    const std::uint8_t bytes[3] = {static_cast<std::uint8_t>(status | channel_), a, b};
    plugin_->add_midi(event_frame(), bytes, size);
    events_pending_ = true;
}

void Lv2Instrument::note_on(VoiceKey key, int pitch, double cents, int velocity) {
    const int midi_key = std::clamp(pitch + static_cast<int>(std::lround(cents / 100.0)), 0, 127);
    if (panic_at_ >= 0 && unmute_at_ == LLONG_MAX) unmute_at_ = chunk_start_ + event_frame();
    auto slot = std::find_if(held_.begin(), held_.end(), [](const Held& h) { return !h.used; });
    if (slot == held_.end()) return;  // 256 notes held on one track: the rest are not played
    *slot = {key, midi_key, true};
    ++held_count_;
    ++on_key_[std::size_t(midi_key)];
    send(0x90, static_cast<std::uint8_t>(midi_key), static_cast<std::uint8_t>(std::clamp(velocity, 1, 127)));
}

void Lv2Instrument::note_off(VoiceKey key) {
    auto held =
        std::find_if(held_.begin(), held_.end(), [&](const Held& h) { return h.used && h.key == key; });
    if (held == held_.end()) return;
    held->used = false;
    --held_count_;
    if (--on_key_[std::size_t(held->pitch)] == 0) send(0x80, static_cast<std::uint8_t>(held->pitch), 64);
}

void Lv2Instrument::release_all() {
    for (Held& h : held_)
        if (h.used) note_off(h.key);
    if (sustain_) send(0xB0, 64, 0);
    sustain_ = false;
}

void Lv2Instrument::kill_all() {
    release_all();
    send(0xB0, 120, 0);  // all sound off
    send(0xB0, 123, 0);  // all notes off
    panic_at_ = chunk_start_ + event_frame();
    unmute_at_ = LLONG_MAX;
}

void Lv2Instrument::controller(const ControllerEvent& event) {
    if (event.kind == ControllerKind::ControlChange && event.number == 64) sustain_ = event.value >= 64.0;
    const MidiChannelMessage m = midi_channel_message(event, channel_);
    plugin_->add_midi(event_frame(), m.bytes.data(), static_cast<std::uint32_t>(m.size));
    events_pending_ = true;
}

void Lv2Instrument::set_parameter(std::size_t index, double value) {
    if (index >= parameters_.size() || change_count_ == kMaxControlChanges) return;
    changes_[change_count_++] = {event_frame(), index, static_cast<float>(value)};
    events_pending_ = true;
}

float Lv2Instrument::gain_at(long long plugin_frame) const {
    if (panic_at_ < 0 || plugin_frame < panic_at_ || plugin_frame >= unmute_at_) return 1.0f;
    return static_cast<float>(std::max(0.0, 1.0 - double(plugin_frame - panic_at_) / double(fade_frames_)));
}

void Lv2Instrument::run_chunk() {
    // Silent (nothing held or pending, the tail ended): the chunk is zeros without running the plugin,
    // as skip_silence gives, so rendering and skipping a silent instrument sound the same.
    if (is_silent()) {
        out_left_.fill(0.0f);
        out_right_.fill(0.0f);
        tail_.heard(0.0f, kChunk);
        chunk_start_ += kChunk;
        return;
    }
    // Parameter changes split the chunk on their frames (a plugin that needs whole chunks takes them
    // all from the chunk's start).
    int from = 0;
    for (std::size_t i = 0; i < change_count_; ++i) {
        const ControlChange& c = changes_[i];
        const int at = plugin_->needs_whole_chunks() ? 0 : c.frame;
        if (at > from) {
            plugin_->run(from, at);
            from = at;
        }
        plugin_->set_control(c.index, c.value);
    }
    change_count_ = 0;
    plugin_->run(from, kChunk);
    events_pending_ = false;

    const float* l = plugin_->output(0);
    const float* r = plugin_->output(1);
    float peak = 0.0f;
    for (int i = 0; i < kChunk; ++i) {
        const float g = gain_at(chunk_start_ + i);
        out_left_[std::size_t(i)] = l[i] * g;
        out_right_[std::size_t(i)] = r[i] * g;
        peak = std::max({peak, std::abs(out_left_[std::size_t(i)]), std::abs(out_right_[std::size_t(i)])});
    }
    if (panic_at_ >= 0 && unmute_at_ <= chunk_start_ + kChunk) panic_at_ = unmute_at_ = -1;
    tail_.heard(peak, kChunk);
    // The chunk that ends the tail is below -120 dBFS like the half second before it: it becomes the
    // zeros that skipping it would give, wherever the mixer's spans fall.
    if (is_silent()) {
        out_left_.fill(0.0f);
        out_right_.fill(0.0f);
    }
    chunk_start_ += kChunk;
}

void Lv2Instrument::render(float* left, float* right, int frames) {
    for (int i = 0; i < frames;) {
        if (read_ == kChunk) {
            run_chunk();
            read_ = 0;
        }
        const int n = std::min(frames - i, kChunk - read_);
        std::copy_n(out_left_.data() + read_, n, left + i);
        std::copy_n(out_right_.data() + read_, n, right + i);
        read_ += n;
        i += n;
    }
}

bool Lv2Instrument::is_silent() const {
    return held_count_ == 0 && !events_pending_ && tail_.quiet();
}

// As if the skipped frames had been rendered while the plugin gave silence: the chunk grid stays where
// it was (events keep their offsets within a chunk), the plugin does not run.
void Lv2Instrument::skip_silence(long long frames) {
    const long long left_in_chunk = kChunk - read_;
    if (frames <= left_in_chunk) {
        read_ += static_cast<int>(frames);
        return;
    }
    const long long beyond = frames - left_in_chunk;
    const long long chunks = (beyond + kChunk - 1) / kChunk;
    chunk_start_ += chunks * kChunk;
    read_ = static_cast<int>(beyond - (chunks - 1) * kChunk);
    out_left_.fill(0.0f);
    out_right_.fill(0.0f);
}

}  // namespace tactus
