#include "engine/lv2/insert_chain.h"

#include <algorithm>
#include <cmath>

namespace tactus {

bool InsertChain::make_slot(Slot& slot, const Insert& spec, double sample_rate, lv2::WorkerMode worker,
                            std::string* error) {
    auto plugin = lv2::Plugin::create(spec.plugin, sample_rate, kChunk, error, worker);
    if (!plugin) return false;
    if (!plugin->info().is_effect()) {
        *error = plugin->info().label() + " has no audio input: it is not an effect";
        return false;
    }
    slot.bypass = spec.bypass;
    if (plugin->audio_inputs() == 1 && plugin->audio_outputs() == 1) {
        slot.instances[1] = lv2::Plugin::create(spec.plugin, sample_rate, kChunk, error, worker);
        if (!slot.instances[1]) return false;
    }
    slot.instances[0] = std::move(plugin);
    for (auto& instance : slot.instances) {
        if (!instance) continue;
        for (const auto& [symbol, value] : spec.parameters)
            if (const long c = instance->control_index(symbol); c >= 0)
                instance->set_control(std::size_t(c), static_cast<float>(value));
        // A state that cannot be restored fails the insert, as a plugin that fails to load does: played
        // without it, the plugin would not sound as the document was saved.
        if (!instance->restore_state(spec.state, error)) return false;
        // Many plugins report their latency only once they have run.
        instance->run();
    }
    slot.latency = slot.instances[0]->reported_latency();
    slot.delay_left.assign(std::size_t(slot.latency), 0.0f);
    slot.delay_right.assign(std::size_t(slot.latency), 0.0f);
    return true;
}

std::unique_ptr<InsertChain> InsertChain::create(const std::vector<Insert>& inserts, double sample_rate,
                                                 std::string* error, std::vector<std::string>* skipped,
                                                 lv2::WorkerMode worker) {
    std::unique_ptr<InsertChain> chain(new InsertChain());
    chain->tail_ = QuietTail(sample_rate);
    chain->slots_.resize(inserts.size());
    for (std::size_t i = 0; i < inserts.size(); ++i) {
        std::string why;
        if (!chain->make_slot(chain->slots_[i], inserts[i], sample_rate, worker, &why)) {
            why = "insert " + std::to_string(i + 1) + ": " + why;
            if (!skipped) {
                if (error) *error = why;
                return nullptr;
            }
            skipped->push_back(why + " (the track plays on without it)");
            chain->slots_[i] = Slot{};
            continue;
        }
        chain->latency_ += chain->slots_[i].latency;
    }
    return chain;
}

std::string InsertChain::save_state(std::size_t insert) const {
    if (insert >= slots_.size() || !slots_[insert].instances[0]) return {};
    return slots_[insert].instances[0]->save_state();
}

void InsertChain::set_parameter(std::size_t insert, std::size_t control, float value) {
    if (insert >= slots_.size() || !slots_[insert].instances[0]) return;
    if (change_count_ == kMaxChangesPerChunk) {  // more than a chunk can hold: from the next run on
        for (auto& instance : slots_[insert].instances)
            if (instance) instance->set_control(control, value);
        return;
    }
    changes_[change_count_++] = {position_, insert, control, value};
    tail_.restart();  // rendered until the change has been heard
}

void InsertChain::set_bypass(std::size_t insert, bool bypass) {
    if (insert < slots_.size()) slots_[insert].bypass = bypass;
    tail_.restart();
}

bool InsertChain::is_quiet() const {
    // Its last chunk's output all zeros too: skipping it drops nothing the processing would have given.
    return change_count_ == 0 && tail_.quiet() && silent_out_;
}

void InsertChain::run_slot(Slot& slot, std::size_t index) {
    lv2::Plugin& first = *slot.instances[0];
    lv2::Plugin* twin = slot.instances[1].get();
    if (twin) {
        std::copy(scratch_left_.begin(), scratch_left_.end(), first.input(0));
        std::copy(scratch_right_.begin(), scratch_right_.end(), twin->input(0));
    } else if (first.audio_inputs() == 2) {
        std::copy(scratch_left_.begin(), scratch_left_.end(), first.input(0));
        std::copy(scratch_right_.begin(), scratch_right_.end(), first.input(1));
    } else {
        float* in = first.input(0);
        for (int i = 0; i < kChunk; ++i)
            in[i] = 0.5f * (scratch_left_[std::size_t(i)] + scratch_right_[std::size_t(i)]);
    }
    const auto run = [&](int from, int to) {
        first.run(from, to);
        if (twin) twin->run(from, to);
    };
    int from = 0;
    for (std::size_t c = 0; c < change_count_; ++c) {
        const Change& change = changes_[c];
        if (change.insert != index) continue;
        const int at = first.needs_whole_chunks() ? 0 : change.frame;
        if (at > from) {
            run(from, at);
            from = at;
        }
        first.set_control(change.control, change.value);
        if (twin) twin->set_control(change.control, change.value);
    }
    run(from, kChunk);
    const float* l = first.output(0);
    const float* r = twin ? twin->output(0) : first.output(1);
    std::copy_n(l, kChunk, scratch_left_.data());
    std::copy_n(r, kChunk, scratch_right_.data());
}

void InsertChain::run_chunk() {
    // A quiet chain given a chunk of silence puts out silence without running its plugins, as skip()
    // does: whether the renderer processes or skips such a chunk, the output is the same zeros.
    const auto zero = [](float x) { return x == 0.0f; };
    if (change_count_ == 0 && tail_.quiet() && std::all_of(in_left_.begin(), in_left_.end(), zero) &&
        std::all_of(in_right_.begin(), in_right_.end(), zero)) {
        out_left_.fill(0.0f);
        out_right_.fill(0.0f);
        silent_out_ = true;
        tail_.heard(0.0f, kChunk);
        return;
    }
    scratch_left_ = in_left_;
    scratch_right_ = in_right_;
    for (std::size_t s = 0; s < slots_.size(); ++s) {
        Slot& slot = slots_[s];
        if (!slot.instances[0]) continue;  // could not be made: passes through
        if (!slot.bypass) {
            run_slot(slot, s);
            continue;
        }
        // Bypassed: its controls still take their values, and the signal passes delayed by its latency.
        for (std::size_t c = 0; c < change_count_; ++c)
            if (changes_[c].insert == s)
                for (auto& instance : slot.instances)
                    if (instance) instance->set_control(changes_[c].control, changes_[c].value);
        if (slot.latency == 0) continue;
        for (std::size_t i = 0; i < std::size_t(kChunk); ++i) {
            std::swap(scratch_left_[i], slot.delay_left[slot.delay_at]);
            std::swap(scratch_right_[i], slot.delay_right[slot.delay_at]);
            slot.delay_at = (slot.delay_at + 1) % slot.delay_left.size();
        }
    }
    change_count_ = 0;
    float peak = 0.0f;
    for (std::size_t i = 0; i < std::size_t(kChunk); ++i)
        peak = std::max({peak, std::abs(scratch_left_[i]), std::abs(scratch_right_[i])});
    out_left_ = scratch_left_;
    out_right_ = scratch_right_;
    silent_out_ = peak == 0.0f;
    tail_.heard(peak, kChunk);
}

// Output at chunk position p is the previous chunk's frame p + 1, until the chunk's last frame arrives:
// then the chunk runs and its first frame comes out. So every frame leaves kChunk - 1 frames late.
void InsertChain::process(float* left, float* right, int frames) {
    ran_ = true;
    for (int i = 0; i < frames;) {
        const int n = std::min(frames - i, kChunk - 1 - position_);
        for (int j = 0; j < n; ++j) {
            const auto p = std::size_t(position_ + j);
            in_left_[p] = left[i + j];
            in_right_[p] = right[i + j];
            left[i + j] = out_left_[p + 1];
            right[i + j] = out_right_[p + 1];
        }
        position_ += n;
        i += n;
        if (i == frames) break;
        in_left_[kChunk - 1] = left[i];
        in_right_[kChunk - 1] = right[i];
        run_chunk();
        left[i] = out_left_[0];
        right[i] = out_right_[0];
        position_ = 0;
        ++i;
    }
}

void InsertChain::skip(long long frames) {
    if (!ran_) return;  // the grid starts with the first frame processed
    if (position_ + frames < kChunk) {
        std::fill_n(in_left_.begin() + position_, frames, 0.0f);
        std::fill_n(in_right_.begin() + position_, frames, 0.0f);
        position_ += static_cast<int>(frames);
        return;
    }
    // At least one chunk would have run on silence: its output, and what is left of the input, are zeros.
    position_ = static_cast<int>((position_ + frames) % kChunk);
    in_left_.fill(0.0f);
    in_right_.fill(0.0f);
    out_left_.fill(0.0f);
    out_right_.fill(0.0f);
    silent_out_ = true;
}

}  // namespace tactus
