// What the audio thread plays: a compiled score and the instruments that play it. Built by a
// control thread (allocates), published to the audio thread through a SnapshotPublisher, and
// destroyed on the control side after the audio thread has moved on to a newer one.
// A tempo scale or a note edit publishes a new program sharing the same mixer; a track edit a new
// mixer sharing the channels of the tracks that stay; a load a new mixer of new channels.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/score_snapshot.h"
#include "engine/track_mixer.h"

namespace tactus {

struct EngineProgram {
    std::shared_ptr<const ScoreSnapshot> score;
    // Mutable instruments, touched only by the audio thread once published.
    std::shared_ptr<TrackMixer> mixer;
    std::uint64_t generation = 0;
    // The audio thread decides how to switch by comparing with the program it played before: a
    // different tempo map keeps the beat being heard; a mixer sharing channels keeps their voices.
};

}  // namespace tactus
