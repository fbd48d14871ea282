// Random edits for the live-edit tests: packets of edit messages (live_edit_messages.h), most of
// them valid against the document they will meet, some spoiled so that the rules refuse them, some
// bundles with a conflict, a bad argument or a /ping between batches. Seeded: the same packets every
// run for the same answers.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "live_edit_messages.h"
#include "live_edit_model.h"
#include "support/tactusd_process.h"

namespace tactus::test {

class EditGenerator {
public:
    EditGenerator(std::uint32_t seed, std::uint64_t first_new_note_id, std::uint64_t first_new_track_id)
        : rng_(seed), next_note_id_(first_new_note_id), next_track_id_(first_new_track_id) {}

    // One packet: a single edit message (most), or a bundle of several, some with a conflict or a
    // bad argument, some split by a /ping. `model` is the state the packet will meet.
    std::vector<EditMessage> packet(const DocModel& model) {
        std::vector<EditMessage> out;
        const int roll = uniform(0, 99);
        if (roll < 80) {
            out.push_back(message(model));
            return out;
        }
        // A bundle: its messages see the document as the previous ones leave it (when they apply).
        DocModel scratch = model;
        const int n = uniform(2, 4);
        for (int i = 0; i < n; ++i) {
            if (roll >= 95 && i == 1) {
                EditMessage ping;
                ping.address = "/ping";
                ping.bytes = osc_message_bytes("/ping");
                ping.is_edit = false;
                out.push_back(std::move(ping));
                continue;
            }
            if (roll >= 88 && roll < 95 && i == n - 1 && !out.empty() && !out.front().edits.empty()) {
                for (EditMessage& m : conflict(out.front())) out.push_back(std::move(m));
                continue;
            }
            EditMessage m = message(scratch);
            if (!m.parse_error && m.is_edit) {
                DocModel next = scratch;
                if (next.apply_batch(m.edits) == 0) scratch = next;
            }
            out.push_back(std::move(m));
        }
        return out;
    }

    std::int64_t edits_in(const std::vector<EditMessage>& packet) const {
        std::int64_t n = 0;
        for (const EditMessage& m : packet)
            n += m.is_edit ? std::max<std::int64_t>(1, std::int64_t(m.edits.size())) : 0;
        return n;
    }

private:
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    // A start on a 1/64-beat grid mostly near the loop, sometimes anywhere in the first 40 beats.
    double start() { return std::round(real(0, chance(0.8) ? 16.0 : 40.0) * 64) / 64; }
    double length() { return chance(0.1) ? 0.0 : std::round(real(1.0 / 64, 3.0) * 64) / 64; }

    std::uint64_t existing_note(const DocModel& m) {
        if (m.notes.empty()) return 999'999'999;
        auto it = m.notes.begin();
        std::advance(it, uniform(0, int(m.notes.size()) - 1));
        return it->first;
    }
    std::uint64_t existing_track(const DocModel& m) {
        return m.tracks.empty() ? 77 : m.tracks[std::size_t(uniform(0, int(m.tracks.size()) - 1))].id;
    }
    // An id that names no note: one deleted earlier, or one never used.
    std::uint64_t missing_note(const DocModel& m) {
        for (int tries = 0; tries < 4 && !deleted_.empty(); ++tries) {
            const std::uint64_t id = deleted_[std::size_t(uniform(0, int(deleted_.size()) - 1))];
            if (!m.notes.count(id)) return id;
        }
        return 5'000'000'000ull + std::uint64_t(uniform(0, 1000));
    }

    ModelEdit note_edit(const DocModel& m, EditKind kind) {
        ModelEdit e;
        e.kind = kind;
        e.id = existing_note(m);
        switch (kind) {
            case EditKind::NoteAdd:
                e.id = next_note_id_++;
                e.track = existing_track(m);
                e.start = start();
                e.length = length();
                e.pitch = uniform(36, 96);
                e.velocity = uniform(1, 127);
                break;
            case EditKind::NoteMove:
                e.start = start();
                break;
            case EditKind::NoteTrack:
                e.track = existing_track(m);
                break;
            case EditKind::NoteResize:
                e.length = length();
                break;
            case EditKind::NoteDelete:
                deleted_.push_back(e.id);
                break;
            case EditKind::NotePitch:
                e.pitch = uniform(0, 127);
                e.cents = chance(0.5) ? 0.0 : std::round(real(-100, 100) * 4) / 4;
                break;
            case EditKind::NoteVelocity:
                e.velocity = uniform(1, 127);
                break;
            default:
                break;
        }
        return e;
    }

    // Spoils a valid edit in a way the rules refuse (a missing id, a duplicate id, a value out of
    // range, a missing track).
    void spoil(ModelEdit& e, const DocModel& m) {
        switch (e.kind) {
            case EditKind::NoteAdd:
                switch (uniform(0, 6)) {
                    case 0:
                        e.id = existing_note(m);
                        break;  // duplicate (when the score has notes)
                    case 1:
                        e.track = 424242;
                        break;
                    case 2:
                        e.pitch = chance(0.5) ? 128 : -1;
                        break;
                    case 3:
                        e.velocity = chance(0.5) ? 0 : 128;
                        break;
                    case 4:
                        e.start = chance(0.5) ? -0.25 : 1'000'000.5;
                        break;
                    case 5:
                        e.length = -1.0;
                        break;
                    default:
                        e.id = (std::uint64_t{1} << 53) + 5;
                        break;
                }
                break;
            case EditKind::NoteMove:
                if (chance(0.5))
                    e.id = missing_note(m);
                else
                    e.start = chance(0.5) ? -1.0 : 2'000'000.0;
                break;
            case EditKind::NoteTrack:
                if (chance(0.5))
                    e.id = missing_note(m);
                else
                    e.track = 99'999;
                break;
            case EditKind::NoteResize:
                if (chance(0.5))
                    e.id = missing_note(m);
                else
                    e.length = -0.5;
                break;
            case EditKind::NoteDelete:
                e.id = missing_note(m);
                break;
            case EditKind::NotePitch:
                if (chance(0.4))
                    e.id = missing_note(m);
                else if (chance(0.5))
                    e.pitch = chance(0.5) ? 200 : -3;
                else
                    e.cents = chance(0.5) ? 150.0 : -100.5;
                break;
            case EditKind::NoteVelocity:
                if (chance(0.5))
                    e.id = missing_note(m);
                else
                    e.velocity = chance(0.5) ? 0 : 300;
                break;
            default:
                break;
        }
    }

    EditMessage message(const DocModel& m) {
        const int roll = uniform(0, 999);
        if (roll < 10) return tempo_message();
        if (roll < 25) return track_message(m);
        if (roll < 45) return argument_error(m);
        static constexpr EditKind kNoteKinds[] = {
            EditKind::NoteAdd,   EditKind::NoteAdd,      EditKind::NoteAdd,    EditKind::NoteMove,
            EditKind::NoteMove,  EditKind::NoteResize,   EditKind::NoteDelete, EditKind::NoteDelete,
            EditKind::NotePitch, EditKind::NoteVelocity, EditKind::NoteTrack,  EditKind::NoteResize};
        const EditKind kind = kNoteKinds[uniform(0, 11)];
        const int groups = chance(0.75) ? 1 : uniform(2, 3);
        std::vector<ModelEdit> edits;
        for (int g = 0; g < groups; ++g) edits.push_back(note_edit(m, kind));
        if (chance(0.15)) spoil(edits[std::size_t(uniform(0, groups - 1))], m);
        const bool small_ids = std::all_of(edits.begin(), edits.end(), [](const ModelEdit& e) {
            return e.id < (1u << 30) && e.track < (1u << 30);
        });
        return edit_message(edits, chance(0.1) && small_ids);
    }

    // The last message(s) of a bundle, conflicting with the first: the same id added twice, or the
    // note the first one edits deleted and then edited (or deleted) again.
    std::vector<EditMessage> conflict(const EditMessage& first) {
        const ModelEdit& e = first.edits.front();
        if (e.kind == EditKind::NoteAdd) {
            ModelEdit again = e;
            again.start = start();
            return {edit_message({again})};
        }
        if (e.kind == EditKind::TempoSet || e.kind >= EditKind::TrackAdd) {
            ModelEdit missing;
            missing.kind = EditKind::NoteDelete;
            missing.id = 6'000'000'000ull;
            return {edit_message({missing})};
        }
        ModelEdit del;
        del.kind = EditKind::NoteDelete;
        del.id = e.id;
        if (chance(0.5)) return {edit_message({del, del})};  // one message, the same id twice
        ModelEdit resize;
        resize.kind = EditKind::NoteResize;
        resize.id = e.id;
        resize.length = 0.5;
        return {edit_message({del}), edit_message({resize})};
    }

    EditMessage tempo_message() {
        ModelEdit e;
        e.kind = EditKind::TempoSet;
        const int points = uniform(1, 3);
        double beat = 0;
        for (int i = 0; i < points; ++i) {
            e.tempo.push_back({beat, double(uniform(60, 180)), i + 1 < points && chance(0.4)});
            beat += double(uniform(4, 16));
        }
        if (chance(0.25)) {  // refused: a bpm out of range, or a first point not at beat 0
            if (chance(0.5))
                e.tempo.back().bpm = 0.5;
            else
                e.tempo.front().beat = 1.0;
        }
        return edit_message({e});
    }

    EditMessage track_message(const DocModel& m) {
        ModelEdit e;
        const int roll = uniform(0, 9);
        if (roll < 3 || m.tracks.size() < 2) {
            e.kind = EditKind::TrackAdd;
            e.id = chance(0.1) ? existing_track(m) : next_track_id_++;
            e.name = "track " + std::to_string(e.id);
            e.instrument = "synth";
            e.preset = chance(0.1) ? "kazoo" : kPresets[std::size_t(uniform(0, 9))];
            if (e.preset == "pad") e.preset = "pluck";  // keep the engine's load modest
            if (chance(0.5)) e.index = uniform(0, 8);
        } else if (roll < 5) {
            e.kind = EditKind::TrackRemove;
            e.id = m.tracks.size() > 3 ? existing_track(m) : 31337;
        } else if (roll < 7) {
            e.kind = EditKind::TrackRename;
            e.id = existing_track(m);
            e.name = "renamed " + std::to_string(uniform(0, 999));
        } else if (roll < 8) {
            e.kind = EditKind::TrackMove;
            e.id = existing_track(m);
            e.index = uniform(0, 6);
        } else {
            e.kind = EditKind::TrackInstrument;
            e.id = existing_track(m);
            e.instrument = chance(0.1) ? "csound" : "synth";
            e.preset = kPresets[std::size_t(uniform(0, 9))];
            if (e.preset == "pad") e.preset = "click";
        }
        return edit_message({e});
    }

    // A message refused for its arguments: a wrong type, an id that is not positive, a wrong count.
    EditMessage argument_error(const DocModel& m) {
        EditMessage msg;
        msg.parse_error = true;
        OscOutgoing out;
        switch (uniform(0, 4)) {
            case 0:
                msg.address = "/note/move";
                out.h(std::int64_t(existing_note(m))).s("soon");
                break;
            case 1:
                msg.address = "/note/delete";
                out.h(chance(0.5) ? 0 : -7);
                break;
            case 2:
                msg.address = "/note/resize";
                out.h(std::int64_t(existing_note(m))).d(1.0).h(std::int64_t(existing_note(m)));
                break;
            case 3:
                msg.address = "/note/velocity";
                out.h(std::int64_t(existing_note(m))).d(64.5);  // an integer argument must be whole
                break;
            default:
                msg.address = "/note/add";
                out.h(std::int64_t(existing_track(m))).h(std::int64_t(next_note_id_++)).d(1.0).d(1.0).i(60);
                break;
        }
        msg.bytes = osc_message_bytes(msg.address, out);
        return msg;
    }

    std::mt19937 rng_;
    std::uint64_t next_note_id_;
    std::uint64_t next_track_id_;
    std::vector<std::uint64_t> deleted_;
};

}  // namespace tactus::test
