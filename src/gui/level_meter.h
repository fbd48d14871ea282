// A peak meter: the level shown falls back smoothly (about 20 dB/s) from the latest peak, with a clip
// light that stays on from the first sample at or over full scale until clicked.
#pragma once

#include <QWidget>

namespace tactus::gui {

class LevelMeter : public QWidget {
    Q_OBJECT
public:
    explicit LevelMeter(QWidget* parent = nullptr);
    // A new peak (linear, 1.0 = full scale), and the time since the last one, for the fall-back.
    void setPeak(float peak, double elapsed_seconds);
    bool clipped() const { return clipped_; }
    float shown() const { return shown_; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    float shown_ = 0.0f;  // linear
    bool clipped_ = false;
};

}  // namespace tactus::gui
