// What the audio thread plays: a compiled score and the instruments that play it. Built by a
// control thread (allocates), published to the audio thread through a SnapshotPublisher, and
// destroyed on the control side after the audio thread has moved on to a newer one.
// A tempo scale or a note edit publishes a new program sharing the same mixer; a track edit a new
// mixer sharing the channels of the tracks that stay; a load a new mixer of new channels.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/engine_command.h"
#include "engine/score_snapshot.h"
#include "engine/track_mixer.h"

namespace tactus {

struct EngineProgram {
    std::shared_ptr<const ScoreSnapshot> score;
    // Mutable instruments, touched only by the audio thread once published.
    std::shared_ptr<TrackMixer> mixer;
    std::uint64_t generation = 0;
    // The document revision it plays (reported back with the frame it took effect on).
    std::uint64_t revision = 0;
    // The output frame it takes effect on (kAsap: the start of the next block). The audio thread
    // holds a program until its frame, so an edit lands on the same frame as the commands of its
    // bundle. The publisher keeps these non-decreasing: a newer program never overtakes an older one.
    Frame apply_at = kAsap;
    // The audio thread decides how to switch by comparing with the program it played before: a
    // different tempo map keeps the beat being heard; a mixer sharing channels keeps their voices.
};

}  // namespace tactus
