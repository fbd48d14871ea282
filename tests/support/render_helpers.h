// Rendering helpers for tests: a whole document offline, or a sequencer driven block by block.
#pragma once

#include <memory>
#include <stdexcept>
#include <vector>

#include "engine/instrument_factory.h"
#include "engine/offline_render.h"
#include "engine/score_snapshot.h"
#include "engine/sequencer.h"
#include "engine/track_mixer.h"

namespace tactus::test {

struct StereoAudio {
    std::vector<float> left;
    std::vector<float> right;
};

// The whole document through OfflineRender, in blocks of `block` frames, on `threads` threads.
inline StereoAudio render_offline(const Document& doc, double rate, int block = 512, int threads = 1,
                                  double max_tail_seconds = 30.0) {
    OfflineRenderOptions options;
    options.sample_rate = rate;
    options.block_frames = block;
    options.threads = threads;
    options.max_tail_seconds = max_tail_seconds;
    std::string error;
    auto render = OfflineRender::create(doc, options, &error);
    if (!render) throw std::runtime_error("render: " + error);
    StereoAudio out;
    std::vector<float> l(static_cast<std::size_t>(block)), r(l.size());
    while (int frames = render->render_next(l.data(), r.data())) {
        out.left.insert(out.left.end(), l.begin(), l.begin() + frames);
        out.right.insert(out.right.end(), r.begin(), r.begin() + frames);
    }
    return out;
}

// A sequencer with its mixer and instruments, for tests that locate, loop and stop.
struct SequencerRig {
    SequencerRig(const Document& doc, double rate) : snapshot(ScoreSnapshot::build(doc, rate)) {
        std::string error;
        mixer = make_track_mixer(doc, rate, &error);
        if (!mixer) throw std::runtime_error("instrument: " + error);
        for (const auto& channel : mixer->channels())  // a SoundFont is read on the font library's thread
            if (!channel->instrument->wait_until_ready(&error))
                throw std::runtime_error("instrument: " + error);
        sequencer.set_mixer(mixer.get());
        sequencer.set_score(snapshot.get(), 0);
    }

    // Renders output frames [position, position + frames) in blocks of `block`, appending.
    void render(std::int64_t frames, int block, StereoAudio& out) {
        std::vector<float> l(static_cast<std::size_t>(block)), r(l.size());
        while (frames > 0) {
            const int n = static_cast<int>(std::min<std::int64_t>(frames, block));
            sequencer.render(position, n, l.data(), r.data());
            out.left.insert(out.left.end(), l.begin(), l.begin() + n);
            out.right.insert(out.right.end(), r.begin(), r.begin() + n);
            position += n;
            frames -= n;
        }
    }

    std::shared_ptr<const ScoreSnapshot> snapshot;
    std::unique_ptr<TrackMixer> mixer;
    Sequencer sequencer;
    std::int64_t position = 0;
};

// Frames where sound starts after at least `min_silence` exact zeros (or at the very start): the
// first non-zero sample of each note, when notes are separated by silence. A waveform that happens
// to hit 0.0f for a sample or two mid-note is not mistaken for a gap.
inline std::vector<std::int64_t> onsets(const std::vector<float>& channel, int min_silence = 64) {
    std::vector<std::int64_t> found;
    std::int64_t zeros = min_silence;
    for (std::size_t i = 0; i < channel.size(); ++i) {
        if (channel[i] == 0.0f) {
            ++zeros;
            continue;
        }
        if (zeros >= min_silence) found.push_back(static_cast<std::int64_t>(i));
        zeros = 0;
    }
    return found;
}

}  // namespace tactus::test
