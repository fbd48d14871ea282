// Commands from the control threads to the audio thread: small, trivially copyable values passed
// through a bounded lock-free queue. Each carries the output frame on which it takes effect.
#pragma once

#include <cstdint>
#include <type_traits>

#include "core/frames.h"
#include "engine/instrument.h"

namespace tactus {

enum class CommandKind : std::uint8_t {
    Play,         // score_frame: where to start (may be negative: a count-in)
    Stop,         // stop and release every score note
    Pause,        // stop where we are; Play with score_frame = kResume continues from there
    Locate,       // score_frame
    SetLoop,      // flag (enabled), a, b (score frames)
    NoteOn,       // track, key, pitch, velocity, cents (value)
    NoteOff,      // track, key
    Panic,        // every voice fades out now; commands submitted before it and still waiting are cancelled
    TrackLevel,   // track, value
    TrackPan,     // track, value
    TrackMute,    // track, flag
    TrackSolo,    // track, flag
    MasterLevel,  // value
    Metronome,    // flag (on/off)
    MidiInputTrack,   // track: the slot live MIDI input plays (flag false: none)
    Record,           // flag: live MIDI input is also reported for recording while playing
    MidiClock,        // flag: MIDI beat clock on the MIDI output (engine/midi_clock.h)
    CancelPending,    // every command submitted before it and still waiting for its frame is cancelled
    TrackParameter,   // track, a (the parameter's index in Instrument::parameters()), value
    BusLevel,         // track (the bus slot), value
    BusPan,           // track (the bus slot), value
    BusMute,          // track (the bus slot), flag
    BusSolo,          // track (the bus slot), flag
    SendLevel,        // track, a (the bus slot), value
    InsertParameter,  // pitch (InsertOwner), track (its slot), a (the insert), b (the control), value
};

// Play from wherever the transport paused.
inline constexpr Frame kResume = INT64_MIN;
// A command frame meaning "at the start of the next block" (low-latency mode; never counted late).
inline constexpr Frame kAsap = INT64_MIN + 1;

struct EngineCommand {
    CommandKind kind = CommandKind::Stop;
    Frame frame = 0;            // output frame on which it applies (earlier: applied at once, counted late)
    std::uint64_t request = 0;  // the control thread's id for replies that report a frame (0 = none)
    std::uint32_t track = 0;    // track index in the current program
    std::int16_t pitch = 0;
    std::uint8_t velocity = 0;
    bool flag = false;
    double value = 0.0;
    Frame score_frame = 0;
    Frame a = 0;
    Frame b = 0;
    VoiceKey key = 0;
};
static_assert(std::is_trivially_copyable_v<EngineCommand>);

// A live MIDI message the audio thread played while recording, with where it fell: sent to the
// control thread, which turns recorded notes into edits.
struct RecordedMidi {
    Frame frame = 0;        // output frame it sounded on
    Frame score_frame = 0;  // score frame heard there
    std::uint8_t bytes[3] = {0, 0, 0};
    int size = 0;
};
static_assert(std::is_trivially_copyable_v<RecordedMidi>);

// What the audio thread tells the control threads (through a lock-free queue): a command took
// effect on this frame, or never will (rejected: no room to hold it until its frame; cancelled by a
// later /panic or /load), or a published program took effect on this frame.
enum class EngineEventKind : std::uint8_t { Applied, AppliedLate, Rejected, Cancelled, ProgramApplied };

struct EngineEvent {
    EngineEventKind kind = EngineEventKind::Applied;
    CommandKind command = CommandKind::Stop;  // Cancelled: the command cancelled
    CommandKind cause = CommandKind::Stop;    // Cancelled: the command that cancelled it
    std::uint64_t request = 0;                // ProgramApplied: the program's generation
    std::uint64_t revision = 0;               // ProgramApplied: the document revision it plays
    Frame frame = 0;                          // the output frame it took effect on
    Frame score_frame = 0;                    // for Play/Locate: the score frame heard at `frame`
};
static_assert(std::is_trivially_copyable_v<EngineEvent>);

}  // namespace tactus
