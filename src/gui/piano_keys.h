// The keyboard at the side of the piano roll: one key per pitch row, C's labelled. Pressing a key
// plays that pitch on the edited track's instrument (/note/on, /note/off on release).
#pragma once

#include <QWidget>

namespace tactus::gui {

class EngineLink;
class RollState;

class PianoKeys : public QWidget {
    Q_OBJECT
public:
    PianoKeys(EngineLink& link, RollState& state, QWidget* parent = nullptr);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    void play(int pitch);
    void release();

    EngineLink& link_;
    RollState& state_;
    int sounding_ = -1;
};

}  // namespace tactus::gui
