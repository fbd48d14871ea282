#include "gui/song_model.h"

#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <unordered_set>

#include "core/document_files.h"
#include "core/document_json.h"
#include "core/edit_inverse.h"
#include "gui/engine_link.h"
#include "server/edit_journal.h"
#include "server/edit_messages.h"
#include "server/osc_out.h"

namespace tactus::gui {

bool changesTracks(const Edit& e) {
    return std::holds_alternative<edit::TrackAdd>(e) || std::holds_alternative<edit::TrackRemove>(e) ||
           std::holds_alternative<edit::TrackRename>(e) || std::holds_alternative<edit::TrackMove>(e) ||
           std::holds_alternative<edit::TrackInstrument>(e);
}

bool changesBuses(const Edit& e) {
    return std::holds_alternative<edit::BusAdd>(e) || std::holds_alternative<edit::BusRemove>(e) ||
           std::holds_alternative<edit::BusRename>(e);
}

namespace {

bool anyChangesTracks(const std::vector<Edit>& edits) {
    return std::any_of(edits.begin(), edits.end(), changesTracks);
}

bool anyChangesBuses(const std::vector<Edit>& edits) {
    return std::any_of(edits.begin(), edits.end(), changesBuses);
}

bool isBatchReply(const std::string& address) {
    return is_edit_address(address) && address != "/note/audition";
}

}  // namespace

namespace {
// A /document that does not come in this time is asked for again (a reply can be dropped when the
// engine's outbox for us is full).
constexpr int kResyncTimeoutMs = 5000;

// An OSC message's address: its first, NUL-terminated string.
std::string addressOf(const std::vector<std::uint8_t>& message) {
    const auto* text = reinterpret_cast<const char*>(message.data());
    return std::string(text, strnlen(text, message.size()));
}

// The note and track ids a batch brings into the document.
void idsAddedBy(const std::vector<Edit>& edits, std::unordered_set<NoteId>& notes,
                std::unordered_set<TrackId>& tracks) {
    for (const Edit& e : edits) {
        if (const auto* add = std::get_if<edit::NoteAdd>(&e)) notes.insert(add->note.id);
        if (const auto* add = std::get_if<edit::TrackAdd>(&e)) tracks.insert(add->track.id);
    }
}

// Whether a batch names any of those ids (a note or track that did not come to be).
bool refersTo(const std::vector<Edit>& edits, const std::unordered_set<NoteId>& notes,
              const std::unordered_set<TrackId>& tracks) {
    const auto note = [&](NoteId id) { return notes.count(id) != 0; };
    const auto track = [&](TrackId id) { return id != 0 && tracks.count(id) != 0; };
    for (const Edit& e : edits) {
        const bool hit = std::visit(
            [&](const auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, edit::NoteAdd>)
                    return track(x.track);
                else if constexpr (std::is_same_v<T, edit::NoteMove>)
                    return note(x.id) || track(x.track);
                else if constexpr (std::is_same_v<T, edit::NoteResize> ||
                                   std::is_same_v<T, edit::NoteDelete> ||
                                   std::is_same_v<T, edit::NotePitch> ||
                                   std::is_same_v<T, edit::NoteVelocity>)
                    return note(x.id);
                else if constexpr (std::is_same_v<T, edit::TrackAdd>)
                    return false;
                else if constexpr (std::is_same_v<T, edit::TrackRemove> ||
                                   std::is_same_v<T, edit::TrackRename> ||
                                   std::is_same_v<T, edit::TrackMove> ||
                                   std::is_same_v<T, edit::TrackInstrument> ||
                                   std::is_same_v<T, edit::TrackControllers> ||
                                   std::is_same_v<T, edit::TrackInserts> ||
                                   std::is_same_v<T, edit::TrackSends>)
                    return track(x.id);
                else if constexpr (std::is_same_v<T, edit::AutomationSet>)
                    return x.target.owner == AutomationOwner::Track && track(x.target.id);
                else
                    return false;
            },
            e);
        if (hit) return true;
    }
    return false;
}
}  // namespace

SongModel::SongModel(EngineLink& link, QObject* parent)
    : QObject(parent), link_(link), resync_timer_(new QTimer(this)) {
    resync_timer_->setSingleShot(true);
    connect(resync_timer_, &QTimer::timeout, this, [this] {
        if (!resync_requested_) return;
        resync_requested_ = false;
        requestResync();
    });
}

bool SongModel::holding() const {
    return !link_.isConnected() || rejoining_;
}

const Track* SongModel::track(TrackId id) const {
    for (const Track& t : editor_.document().tracks)
        if (t.id == id) return &t;
    return nullptr;
}

NoteId SongModel::newNoteId() {
    next_note_id_ = std::max(next_note_id_, editor_.document().max_note_id() + 1);
    return next_note_id_++;
}

const Bus* SongModel::bus(BusId id) const {
    for (const Bus& b : editor_.document().buses)
        if (b.id == id) return &b;
    return nullptr;
}

BusId SongModel::newBusId() const {
    BusId id = 0;
    for (const Bus& b : editor_.document().buses) id = std::max(id, b.id);
    return id + 1;
}

TrackId SongModel::newTrackId() const {
    TrackId id = 0;
    for (const Track& t : editor_.document().tracks) id = std::max(id, t.id);
    return id + 1;
}

bool SongModel::applyLocal(std::vector<Edit>& edits, std::vector<Edit>* inverse) {
    std::string error;
    if (inverse) {
        auto back = inverse_edits(editor_, edits, &error);
        if (!back) {
            last_error_ = QString::fromStdString(error);
            return false;
        }
        *inverse = std::move(*back);
    }
    if (!editor_.apply(edits, nullptr, &error)) {
        last_error_ = QString::fromStdString(error);
        return false;
    }
    // The editor numbers notes added with id 0; the batch we send must carry the same ids.
    edits = editor_.last_batch()->edits;
    return true;
}

bool SongModel::apply(std::vector<Edit> edits, const QString& description, std::vector<NoteId> auditions) {
    if (edits.empty()) return true;
    for (Edit& e : edits)  // ids first, so the step can be undone
        if (auto* add = std::get_if<edit::NoteAdd>(&e); add && add->note.id == 0) add->note.id = newNoteId();
    Step step{description, {}, {}, std::nullopt};
    if (!applyLocal(edits, &step.backward)) return false;
    step.forward = edits;
    std::erase_if(auditions, [this](NoteId id) { return !editor_.find_note(id); });  // deleted meanwhile
    send(edits, auditions);
    if (static_cast<long>(undo_.size()) < saved_depth_) saved_depth_ = -1;  // the saved state was in redo
    undo_.push_back(std::move(step));
    redo_.clear();
    emit historyChanged();
    if (anyChangesTracks(edits)) emit tracksChanged();
    if (anyChangesBuses(edits)) emit busesChanged();
    emit documentChanged();
    return true;
}

bool SongModel::undo() {
    return replay(undo_, redo_, false);
}
bool SongModel::redo() {
    return replay(redo_, undo_, true);
}

// Applies the newest step of `from` in the direction asked and moves it to `to`.
bool SongModel::replay(std::vector<Step>& from, std::vector<Step>& to, bool forward) {
    if (from.empty()) return false;
    Step step = std::move(from.back());
    from.pop_back();
    if (step.mixer) {  // live, like the gesture itself
        applyMixerGesture(*step.mixer, forward ? step.mixer->after : step.mixer->before);
        to.push_back(std::move(step));
        emit historyChanged();
        return true;
    }
    std::vector<Edit> edits = forward ? step.forward : step.backward;
    if (!applyLocal(edits, forward ? &step.backward : &step.forward)) {  // e.g. another client deleted it
        emit historyChanged();
        emit engineRefused((forward ? tr("Cannot redo %1: %2") : tr("Cannot undo %1: %2"))
                               .arg(step.description, last_error_));
        return false;
    }
    send(edits, {});
    to.push_back(std::move(step));
    emit historyChanged();
    if (anyChangesTracks(edits)) emit tracksChanged();
    if (anyChangesBuses(edits)) emit busesChanged();
    emit documentChanged();
    return true;
}

void SongModel::send(const std::vector<Edit>& edits, const std::vector<NoteId>& auditions) {
    if (holding()) {  // a new engine gets the whole document; a rejoined one, these
        unsent_.push_back({edits, false, std::nullopt});
        return;
    }
    auto messages = edit_messages(edits);
    for (NoteId id : auditions)
        messages.push_back(OscOut("/note/audition").h(static_cast<std::int64_t>(id)).bytes());
    link_.send(osc_bundle(messages));
    pending_.push_back({editor_.revision(), edits, !auditions.empty()});
}

void SongModel::resetDocument(Document doc) {
    editor_.reset(std::move(doc));
    undo_.clear();
    redo_.clear();
    pending_.clear();
    unsent_.clear();
    mixer_unconfirmed_.clear();
    next_note_id_ = 1;
    saved_depth_ = 0;
    foreign_changes_ = false;
    mixer_modified_ = false;
    rejoining_ = false;
    needs_full_load_ = !link_.isConnected();  // the engine still has the old document
    loadIntoEngine();
    emit historyChanged();
    emit tracksChanged();
    emit busesChanged();
    emit documentChanged();
}

void SongModel::loadIntoEngine() {
    if (!link_.isConnected()) return;
    pending_.clear();
    unsent_.clear();  // the whole document carries them
    mixer_unconfirmed_.clear();
    resync_requested_ = false;
    awaiting_load_ = true;
    link_.send(OscOut("/edits/subscribe").bytes());
    // An inline document has no directory in the engine: its orchestra names (relative to this file's
    // directory, docs/document-format.md) go as absolute paths. The file keeps them as written.
    Document doc = snapshot();
    if (!journal_path_.isEmpty())
        resolve_document_files(doc, QFileInfo(journal_path_).absolutePath().toStdString());
    link_.send(osc_long_string_and_int64("/load/json", document_to_string(doc),
                                         static_cast<std::int64_t>(editor_.revision())));
    if (!journal_path_.isEmpty()) link_.send(OscOut("/journal").s(journal_path_.toStdString()).bytes());
}

void SongModel::journalSaved() {
    // Not connected: the next engine's load names the file.
    if (journal_path_.isEmpty() || !link_.isConnected()) return;
    link_.send(OscOut("/journal").s(journal_path_.toStdString()).bytes());
}

void SongModel::endJournal() {
    if (journal_path_.isEmpty()) return;
    if (link_.isConnected())
        link_.send(OscOut("/journal").bytes());
    else  // an engine that comes back later gets another document; this one's journal must not stay
        QFile::remove(QString::fromStdString(journal_path_for(journal_path_.toStdString())));
    journal_path_.clear();
}

void SongModel::onDisconnected() {
    // Their answers will not come. A new engine gets the whole document; a rejoined one, these.
    for (Pending& p : pending_) unsent_.push_back({std::move(p.edits), true, std::nullopt});
    pending_.clear();
    resync_requested_ = false;
    rejoining_ = false;
    if (awaiting_load_) needs_full_load_ = true;  // whether it took our document is not known
    awaiting_load_ = false;
}

void SongModel::fetchFromEngine() {
    if (!link_.isConnected()) return;
    link_.send(OscOut("/edits/subscribe").bytes());
    requestResync();
}

void SongModel::rejoinEngine() {
    if (!link_.isConnected()) return;
    rejoining_ = true;  // until its document is here, what we do is queued (after what is queued)
    fetchFromEngine();  // onDocument applies and sends unsent_
}

void SongModel::requestResync() {
    if (resync_requested_ || !link_.isConnected()) return;
    resync_requested_ = true;
    mixer_unconfirmed_.clear();
    ++resyncs_;
    link_.send(OscOut("/document").bytes());
    resync_timer_->start(kResyncTimeoutMs);
}

void SongModel::onPacket(const OscPacket& packet) {
    if (packet.messages.empty()) return;
    const OscMessage& first = packet.messages.front();
    if (first.address == "/edited") return onEditBatchPushed(packet);
    for (const OscMessage& m : packet.messages) {
        if (onMixerPushed(m) || onRoutingPushed(m)) continue;
        if (m.address == "/document") {
            onDocument(m);
        } else if (m.address == "/resync") {
            const bool ours =
                !m.args.empty() && std::uint64_t(m.args[0].i) == editor_.revision() && pending_.empty();
            if (!ours) requestResync();
        } else if ((m.address == "/reply" || m.address == "/error") && !m.args.empty() &&
                   m.args[0].type == 's') {
            const std::string& about = m.args[0].s;
            if (about == "/document" && m.address == "/error") {  // nothing to fetch: give it ours
                resync_requested_ = false;
                loadIntoEngine();
                continue;
            }
            if (about == "/load/json" && awaiting_load_) {
                awaiting_load_ = false;
                needs_full_load_ = m.address != "/reply";  // refused: it has some other document
                if (m.address == "/reply" && m.args.size() >= 4)
                    emit engineLoaded(std::uint64_t(m.args[3].i));
                else
                    emit engineLoadFailed(QString::fromStdString(m.args.size() > 1 ? m.args[1].s : ""));
                continue;
            }
            // A bundle is refused as a whole, also for an audition of a note that is gone.
            const bool refused_for_audition = m.address == "/error" && about == "/note/audition" &&
                                              !pending_.empty() && pending_.front().auditions;
            if (!isBatchReply(about) && !refused_for_audition) continue;
            if (pending_.empty()) continue;                  // answers to batches sent before a load
            if (m.address == "/reply" && m.args.size() > 1)  // a reply lost on the way: skip its batch
                while (pending_.size() > 1 && pending_.front().revision < std::uint64_t(m.args[1].i))
                    pending_.pop_front();
            const Pending sent = pending_.front();
            pending_.pop_front();
            if (m.address == "/error") {
                emit engineRefused(tr("The engine refused an edit: %1")
                                       .arg(QString::fromStdString(m.args.size() > 1 ? m.args[1].s : "")));
                requestResync();
            } else if (m.args.size() > 1 && std::uint64_t(m.args[1].i) != sent.revision) {
                requestResync();  // another client's batch came in between
            }
            if (pending_.empty() && !resync_requested_) emit engineInSync(editor_.revision());
        }
    }
}

void SongModel::onEditBatchPushed(const OscPacket& packet) {
    if (resync_requested_) return;  // the document we asked for comes after this batch
    const OscMessage& head = packet.messages.front();
    const std::uint64_t revision = head.args.empty() ? 0 : std::uint64_t(head.args[0].i);
    if (!pending_.empty() || revision != editor_.revision() + 1) return requestResync();
    std::vector<Edit> edits;
    std::vector<NoteId> auditions;
    try {
        for (std::size_t i = 1; i < packet.messages.size(); ++i)
            parse_edit_message(packet.messages[i], edits, auditions);
    } catch (const std::exception&) {
        return requestResync();
    }
    if (!applyLocal(edits, nullptr)) return requestResync();
    foreign_changes_ = true;
    if (anyChangesTracks(edits)) emit tracksChanged();
    if (anyChangesBuses(edits)) emit busesChanged();
    emit documentChanged();
}

void SongModel::onDocument(const OscMessage& m) {
    if (m.types != "hs") return;
    resync_requested_ = false;
    resync_timer_->stop();
    LoadResult loaded = parse_document(m.args[1].s, "engine document");
    if (!loaded.document) {  // cannot happen with our engine; if it does, ours is what we can trust
        emit engineRefused(tr("The engine's document could not be read: %1")
                               .arg(QString::fromStdString(loaded.errors.front().to_string())));
        rejoining_ = false;
        loadIntoEngine();
        return;
    }
    Document doc = std::move(*loaded.document);
    doc.revision = std::uint64_t(m.args[0].i);
    if (doc.revision != editor_.revision()) foreign_changes_ = true;  // (unsure what changed: say modified)
    editor_.reset(std::move(doc));
    // What we sent after asking is not in that document yet: apply it again, in order.
    for (Pending& p : pending_) {
        applyLocal(p.edits, nullptr);
        p.revision = editor_.revision();
    }
    for (const auto& apply : mixer_unconfirmed_) apply(editor_);
    mixer_unconfirmed_.clear();
    rejoining_ = false;
    replayUnsent();
    emit tracksChanged();
    emit busesChanged();
    emit documentChanged();
    if (pending_.empty()) emit engineInSync(editor_.revision());
}

// What was done while no engine was connected, in order, on top of what the engine has now: batches
// are applied and sent as new batches; mixer changes set and sent. A batch that no longer applies is
// reported, and so are the later ones that name a note or track it would have added (their ids might
// now be another client's).
void SongModel::replayUnsent() {
    std::vector<Unsent> unsent = std::move(unsent_);
    unsent_.clear();
    std::unordered_set<NoteId> lost_notes;
    std::unordered_set<TrackId> lost_tracks;
    for (Unsent& u : unsent) {
        if (u.mixer) {
            if ((u.mixer->track && lost_tracks.count(u.mixer->track)) || !u.mixer->apply(editor_)) continue;
            link_.send(u.mixer->message);
            continue;
        }
        if (refersTo(u.edits, lost_notes, lost_tracks)) {
            idsAddedBy(u.edits, lost_notes, lost_tracks);
            emit engineRefused(
                tr("An edit made while the engine was unreachable was dropped: it depends on one "
                   "that no longer applies"));
            continue;
        }
        if (applyLocal(u.edits, nullptr)) {
            send(u.edits, {});
        } else if (!u.maybe_applied) {
            idsAddedBy(u.edits, lost_notes, lost_tracks);
            emit engineRefused(
                tr("An edit made while the engine was unreachable no longer applies: %1").arg(last_error_));
        }
    }
}

SongModel::Mixer SongModel::mixer(TrackId id) const {
    const Track* t = track(id);
    return t ? Mixer{t->level, t->pan, t->mute, t->solo} : Mixer{};
}

void SongModel::setLive(LiveSetting setting) {
    if (!setting.apply(editor_)) return;
    mixer_modified_ = true;
    if (holding()) {
        // A fader dragged while away is one change: the newest replaces the one queued just before.
        if (!unsent_.empty() && unsent_.back().mixer && unsent_.back().mixer->key == setting.key)
            unsent_.pop_back();
        unsent_.push_back({{}, false, std::move(setting)});
        return;
    }
    if (resync_requested_) mixer_unconfirmed_.push_back(setting.apply);
    link_.send(setting.message);
}

void SongModel::setMixer(TrackId id, const MixChange& change, std::vector<std::uint8_t> message) {
    std::string key = addressOf(message) + " " + std::to_string(id);
    setLive({std::move(key), id, [id, change](DocumentEditor& e) { return e.set_mix(id, change); },
             std::move(message)});
}

void SongModel::setBusMixer(BusId id, const MixChange& change, std::vector<std::uint8_t> message) {
    std::string key = addressOf(message) + " " + std::to_string(id);
    setLive({std::move(key), 0, [id, change](DocumentEditor& e) { return e.set_bus_mix(id, change); },
             std::move(message)});
}

SongModel::Mixer SongModel::busMixer(BusId id) const {
    const Bus* b = bus(id);
    return b ? Mixer{b->level, b->pan, b->mute, b->solo} : Mixer{};
}

void SongModel::setBusLevel(BusId id, double level) {
    setBusMixer(id, MixChange{.level = level}, OscOut("/bus/level").h(std::int64_t(id)).d(level).bytes());
}

void SongModel::setBusPan(BusId id, double pan) {
    setBusMixer(id, MixChange{.pan = pan}, OscOut("/bus/pan").h(std::int64_t(id)).d(pan).bytes());
}

void SongModel::setBusMute(BusId id, bool on) {
    setBusMixer(id, MixChange{.mute = on}, OscOut("/bus/mute").h(std::int64_t(id)).i(on ? 1 : 0).bytes());
}

void SongModel::setBusSolo(BusId id, bool on) {
    setBusMixer(id, MixChange{.solo = on}, OscOut("/bus/solo").h(std::int64_t(id)).i(on ? 1 : 0).bytes());
}

void SongModel::recordMixerGesture(const MixerGesture& gesture) {
    if (gesture.before == gesture.after) return;
    using C = MixerGesture::Control;
    const QString what = gesture.control == C::TrackLevel ? tr("Track level")
                         : gesture.control == C::TrackPan ? tr("Track pan")
                         : gesture.control == C::BusLevel ? tr("Bus level")
                         : gesture.control == C::BusPan   ? tr("Bus pan")
                                                          : tr("Send level");
    if (static_cast<long>(undo_.size()) < saved_depth_) saved_depth_ = -1;  // the saved state was in redo
    // (The live changes marked the document modified; undoing the gesture leaves that mark: a mute
    // or another fader moved meanwhile is not in the history, and must not pass for saved.)
    undo_.push_back(Step{what, {}, {}, gesture});
    redo_.clear();
    emit historyChanged();
}

void SongModel::applyMixerGesture(const MixerGesture& g, double value) {
    using C = MixerGesture::Control;
    switch (g.control) {
        case C::TrackLevel:
            setTrackLevel(g.id, value);
            emit mixerChanged(g.id);
            break;
        case C::TrackPan:
            setTrackPan(g.id, value);
            emit mixerChanged(g.id);
            break;
        case C::BusLevel:
            setBusLevel(g.id, value);
            emit busMixerChanged(g.id);
            break;
        case C::BusPan:
            setBusPan(g.id, value);
            emit busMixerChanged(g.id);
            break;
        case C::SendLevel:
            setSendLevel(g.id, g.bus, value);
            emit sendLevelChanged(g.id, g.bus, value);
            break;
    }
}

void SongModel::setSendLevel(TrackId track, BusId bus, double level) {
    setLive({"/track/send " + std::to_string(track) + " " + std::to_string(bus), track,
             [=](DocumentEditor& e) { return e.set_send_level(track, bus, level); },
             OscOut("/track/send").h(std::int64_t(track)).h(std::int64_t(bus)).d(level).bytes()});
}

namespace {
const char* insertParameterAddress(InsertOwner owner) {
    return owner == InsertOwner::Master ? "/master/insert/parameter"
           : owner == InsertOwner::Bus  ? "/bus/insert/parameter"
                                        : "/track/insert/parameter";
}
}  // namespace

void SongModel::setInsertParameter(InsertOwner owner, std::uint64_t id, std::size_t insert,
                                   const std::string& symbol, double value) {
    if (owner == InsertOwner::Master) id = 0;
    OscOut message(insertParameterAddress(owner));
    if (owner != InsertOwner::Master) message.h(std::int64_t(id));
    message.i(std::int32_t(insert)).s(symbol).d(value);
    setLive({std::string(insertParameterAddress(owner)) + " " + std::to_string(id) + " " +
                 std::to_string(insert) + " " + symbol,
             owner == InsertOwner::Track ? id : 0,
             [=](DocumentEditor& e) { return e.set_insert_parameter(owner, id, insert, symbol, value); },
             message.bytes()});
}

void SongModel::setTrackLevel(TrackId id, double level) {
    setMixer(id, MixChange{.level = level}, OscOut("/track/level").h(std::int64_t(id)).d(level).bytes());
}

void SongModel::setTrackPan(TrackId id, double pan) {
    setMixer(id, MixChange{.pan = pan}, OscOut("/track/pan").h(std::int64_t(id)).d(pan).bytes());
}

void SongModel::setTrackMute(TrackId id, bool on) {
    setMixer(id, MixChange{.mute = on}, OscOut("/track/mute").h(std::int64_t(id)).i(on ? 1 : 0).bytes());
}

void SongModel::setTrackSolo(TrackId id, bool on) {
    setMixer(id, MixChange{.solo = on}, OscOut("/track/solo").h(std::int64_t(id)).i(on ? 1 : 0).bytes());
}

void SongModel::setTrackParameter(TrackId id, const std::string& name, double value) {
    if (!editor_.set_parameter(id, name, value)) return;
    mixer_modified_ = true;
    if (!holding()) link_.send(OscOut("/track/parameter").h(std::int64_t(id)).s(name).d(value).bytes());
}

// Another client's mixer change, pushed as `/track/level ,hd` (pan alike; mute and solo `,hi`), or
// instrument parameter, `/track/parameter ,hsd`.
bool SongModel::onMixerPushed(const OscMessage& m) {
    if (m.address == "/track/parameter") {
        if (m.types != "hsd") return true;
        const auto id = static_cast<TrackId>(m.args[0].i);
        if (!editor_.set_parameter(id, m.args[1].s, m.args[2].f)) return true;
        mixer_modified_ = true;
        emit parameterChanged(id, QString::fromStdString(m.args[1].s), m.args[2].f);
        emit documentChanged();
        return true;
    }
    const bool number = m.address == "/track/level" || m.address == "/track/pan";
    const bool flag = m.address == "/track/mute" || m.address == "/track/solo";
    if (!number && !flag) return false;
    if (m.types != (number ? "hd" : "hi")) return true;
    const auto id = static_cast<TrackId>(m.args[0].i);
    MixChange change;
    if (m.address == "/track/level") change.level = m.args[1].f;
    if (m.address == "/track/pan") change.pan = m.args[1].f;
    if (m.address == "/track/mute") change.mute = m.args[1].i != 0;
    if (m.address == "/track/solo") change.solo = m.args[1].i != 0;
    if (!editor_.set_mix(id, change)) return true;
    mixer_modified_ = true;  // what would be saved has changed
    emit mixerChanged(id);
    emit documentChanged();
    return true;
}

// Another client's bus mixer change (`/bus/level ,hd`, pan alike; mute and solo `,hi`), send level
// (`/track/send ,hhd`) or insert control (`/track/insert/parameter ,hisd`, bus alike, master `,isd`).
bool SongModel::onRoutingPushed(const OscMessage& m) {
    const std::string& a = m.address;
    if (a == "/bus/level" || a == "/bus/pan" || a == "/bus/mute" || a == "/bus/solo") {
        const bool number = a == "/bus/level" || a == "/bus/pan";
        if (m.types != (number ? "hd" : "hi")) return true;
        const auto id = static_cast<BusId>(m.args[0].i);
        MixChange change;
        if (a == "/bus/level") change.level = m.args[1].f;
        if (a == "/bus/pan") change.pan = m.args[1].f;
        if (a == "/bus/mute") change.mute = m.args[1].i != 0;
        if (a == "/bus/solo") change.solo = m.args[1].i != 0;
        if (!editor_.set_bus_mix(id, change)) return true;
        mixer_modified_ = true;
        emit busMixerChanged(id);
        emit documentChanged();
        return true;
    }
    if (a == "/track/send") {
        if (m.types != "hhd") return true;
        const auto track = static_cast<TrackId>(m.args[0].i);
        const auto bus = static_cast<BusId>(m.args[1].i);
        if (!editor_.set_send_level(track, bus, m.args[2].f)) return true;
        mixer_modified_ = true;
        emit sendLevelChanged(track, bus, m.args[2].f);
        emit documentChanged();
        return true;
    }
    const bool master = a == "/master/insert/parameter";
    if (!master && a != "/track/insert/parameter" && a != "/bus/insert/parameter") return false;
    if (m.types != (master ? "isd" : "hisd")) return true;
    const std::size_t at = master ? 0 : 1;
    const InsertOwner owner = master                         ? InsertOwner::Master
                              : a == "/bus/insert/parameter" ? InsertOwner::Bus
                                                             : InsertOwner::Track;
    const std::uint64_t id = master ? 0 : std::uint64_t(m.args[0].i);
    const auto insert = std::size_t(m.args[at].i);
    if (!editor_.set_insert_parameter(owner, id, insert, m.args[at + 1].s, m.args[at + 2].f)) return true;
    mixer_modified_ = true;
    emit insertParameterChanged(owner, id, int(insert), QString::fromStdString(m.args[at + 1].s),
                                m.args[at + 2].f);
    emit documentChanged();
    return true;
}

}  // namespace tactus::gui
