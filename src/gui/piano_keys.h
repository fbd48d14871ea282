// The keyboard at the side of the piano roll: one key per pitch row, C's labelled; in drum mode one
// named row per sound ("38 Acoustic Snare", General MIDI's names), wider. Pressing a key plays that
// pitch on the edited track's instrument (/note/on, /note/off on release).
#pragma once

#include <QWidget>

class QPainter;

namespace tactus::gui {

class EngineLink;
class RollState;

class PianoKeys : public QWidget {
    Q_OBJECT
public:
    PianoKeys(EngineLink& link, RollState& state, QWidget* parent = nullptr);
    // What the row of `pitch` says: "C4" on a C (else nothing), in drum mode its sound's name.
    QString rowLabel(int pitch) const;
    static constexpr int kPianoWidth = 56;
    static constexpr int kDrumWidth = 150;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    void paintDrumRows(QPainter& p, int top, int bottom);
    void play(int pitch);
    void release();

    EngineLink& link_;
    RollState& state_;
    int sounding_ = -1;
};

}  // namespace tactus::gui
