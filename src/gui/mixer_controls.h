// The mixer's level fader and pan knob, with numbers (tracks, buses, sends and the master):
//   LevelFader  a gain in dB: -60 to +12 dB in tenths (and silence at the bottom), a mark at unity;
//   PanDial     -100 (left) to +100 (right), shown as L 30 / C / R 30.
// Both: the value is shown beside them (valueShown), double-click types a value, Ctrl-click resets
// (unity, centre). A change by the user is reported (levelEdited / valueChanged); setLevel shows a
// value without reporting it (another client's change, a refresh). Each finished gesture (a drag
// from press to release, an arrow key or wheel step, a typed value, a reset) is reported once with
// the values before and after it (gestureFinished), for one undo step. Threading: the UI thread.
#pragma once

#include <QDial>
#include <QSlider>

namespace tactus::gui {

class LevelFader : public QSlider {
    Q_OBJECT
public:
    explicit LevelFader(QWidget* parent = nullptr);

    double level() const { return level_; }  // linear gain, 0..4
    void setLevel(double gain);              // shows it; reports nothing
    void editLevel(double gain);             // as the user would: shows and reports it

    static QString text(double gain);  // "-3.0 dB", "0.0 dB", "-inf dB"
    static int positionOf(double gain);
    static double gainAt(int position);
    static constexpr int kUnityPosition = 601;

signals:
    void levelEdited(double gain);
    void valueShown(const QString& text);
    void gestureFinished(double before, double after);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    void show(double gain);
    double level_ = 1.0;
    double drag_before_ = 1.0;
    bool showing_ = false;
};

class PanDial : public QDial {
    Q_OBJECT
public:
    explicit PanDial(QWidget* parent = nullptr);
    static QString text(int value);  // "L 30", "C", "R 100"

signals:
    void valueShown(const QString& text);
    void gestureFinished(int before, int after);

protected:
    void sliderChange(SliderChange change) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    bool reset_pressed_ = false;      // a Ctrl-click's release must not turn the knob to the pointer
    int previous_ = 0, current_ = 0;  // values before and after the latest change, signals blocked or not
    int drag_before_ = 0;
};

}  // namespace tactus::gui
