// A track's sends on its strip: one row per send, with the bus's name, a level slider (moving it sets the
// send's level live, /track/send, like a fader: not an edit), a pre-fader switch and remove; "+" offers
// the buses the track does not send to yet. Adding, removing and switching pre/post are undoable edits
// (/track/sends, routing_commands.h).
//
// Threading: the UI thread.
#pragma once

#include <QWidget>
#include <map>
#include <vector>

#include "core/score.h"

class QToolButton;
class QVBoxLayout;

namespace tactus::gui {

class LevelFader;

class SongModel;

class SendControls : public QWidget {
    Q_OBJECT
public:
    SendControls(SongModel& song, TrackId track, QWidget* parent = nullptr);

    // The commands; false when nothing changed.
    bool addSend(BusId bus);
    bool removeSend(BusId bus);
    bool setPreFader(BusId bus, bool pre_fader);
    // The level slider (0..200: percent of unity) and pre-fader switch of the send to `bus`, or nullptr.
    LevelFader* levelSlider(BusId bus) const;
    QToolButton* preFaderButton(BusId bus) const;
    QToolButton* addButton() const { return add_; }
    int count() const { return int(rows_.size()); }

    // Shows the document's sends (rows rebuilt only when the sends or the buses' names changed).
    void refresh();

private:
    struct Row {
        QWidget* widget = nullptr;
        LevelFader* level = nullptr;
        QToolButton* pre = nullptr;
    };
    void offerBuses();

    SongModel& song_;
    TrackId track_;
    QVBoxLayout* rows_layout_;
    QToolButton* add_;
    std::map<BusId, Row> rows_;
    std::vector<std::pair<BusId, std::string>> shown_;  // the sends' buses and names, as shown
    std::vector<bool> shown_pre_;
};

}  // namespace tactus::gui
