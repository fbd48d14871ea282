// The mixer's numbers against a real tactusd: a track's fader moves in dB (tenths, unity marked) and
// shows its value, the pan knob shows L/C/R percent, Ctrl-click resets each (0 dB, centre), each gesture
// is one undo step, and another client's change shows in dB too. Each value is checked in the engine's own
// document.
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <functional>

#include "core/document_json.h"
#include "gui/mixer_controls.h"
#include "gui/song_model.h"
#include "gui/track_panel.h"
#include "gui/track_strip.h"
#include "gui_session.h"
#include "server/osc_out.h"

using namespace tactus;
using namespace tactus::test;
using gui::LevelFader;
using gui::PanDial;

class MixerNumbers : public GuiTestCase {
    Q_OBJECT

private:
    gui::TrackStrip* strip() { return window().trackPanel().strips().front(); }
    LevelFader* fader() { return strip()->findChild<LevelFader*>(); }
    PanDial* knob() { return strip()->findChild<PanDial*>(); }
    bool stripShows(const QString& text) {
        for (const QLabel* label : strip()->findChildren<QLabel*>())
            if (label->text() == text) return true;
        return false;
    }
    bool engineShows(const std::function<bool(const Track&)>& check) {
        return QTest::qWaitFor(
            [&] {
                const auto doc = session_->probe().document();
                return doc && !doc->tracks.empty() && check(doc->tracks.front());
            },
            5000);
    }

private slots:
    void initTestCase() {
        Document doc;
        Track t;
        t.id = 1;
        t.name = "Keys";
        t.preset = "pluck";
        doc.tracks = {t};
        session_ = GuiSession::showing(doc, dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
    }
    void cleanupTestCase() { session_.reset(); }

    void levels_read_in_decibels() {
        QCOMPARE(LevelFader::text(1.0), QString("0.0 dB"));
        QCOMPARE(LevelFader::text(0.5), QString("-6.0 dB"));
        QCOMPARE(LevelFader::text(2.0), QString("6.0 dB"));
        QCOMPARE(LevelFader::text(0.0), QString("-inf dB"));
        QCOMPARE(LevelFader::gainAt(LevelFader::kUnityPosition), 1.0);
        QCOMPARE(LevelFader::positionOf(1.0), LevelFader::kUnityPosition);
        QCOMPARE(LevelFader::gainAt(0), 0.0);
        QCOMPARE(PanDial::text(-30), QString("L 30"));
        QCOMPARE(PanDial::text(0), QString("C"));
        QCOMPARE(PanDial::text(100), QString("R 100"));
    }

    void the_fader_moves_in_decibels_shows_them_and_ctrl_click_resets_it() {
        QVERIFY(fader() && knob());
        QVERIFY(stripShows("0.0 dB"));
        QVERIFY(stripShows("C"));
        // Six dB down, as a drag or the arrow keys leave it.
        fader()->setValue(LevelFader::kUnityPosition - 60);
        const double expected = std::pow(10.0, -6.0 / 20);
        QVERIFY(engineShows([&](const Track& t) { return std::abs(t.level - expected) < 1e-12; }));
        QVERIFY(stripShows("-6.0 dB"));
        // Ctrl-click: unity, exactly.
        QTest::mouseClick(fader(), Qt::LeftButton, Qt::ControlModifier, fader()->rect().center());
        QVERIFY(engineShows([](const Track& t) { return t.level == 1.0; }));
        QVERIFY(stripShows("0.0 dB"));
    }

    void the_pan_knob_shows_left_and_right_and_ctrl_click_centres_it() {
        knob()->setValue(-30);
        QVERIFY(engineShows([](const Track& t) { return t.pan == -0.3; }));
        QVERIFY(stripShows("L 30"));
        QTest::mouseClick(knob(), Qt::LeftButton, Qt::ControlModifier, knob()->rect().center());
        QVERIFY(engineShows([](const Track& t) { return t.pan == 0.0; }));
        QVERIFY(stripShows("C"));
    }

    void each_gesture_is_one_undo_step() {
        const double before = fader()->level();
        // A drag through three positions, from press to release: one step.
        fader()->setSliderDown(true);
        for (int db : {-3, -6, -9}) fader()->setValue(LevelFader::kUnityPosition + 10 * db);
        fader()->setSliderDown(false);
        QCOMPARE(window().song().undoText(), QString("Track level"));
        const double dragged = std::pow(10.0, -9.0 / 20);
        QVERIFY(engineShows([&](const Track& t) { return std::abs(t.level - dragged) < 1e-12; }));
        QVERIFY(window().song().undo());  // straight back to before the drag, not to -6 dB
        QVERIFY(engineShows([&](const Track& t) { return t.level == before; }));
        QCOMPARE(fader()->level(), before);
        QVERIFY(window().song().redo());
        QVERIFY(engineShows([&](const Track& t) { return std::abs(t.level - dragged) < 1e-12; }));
        QVERIFY(stripShows("-9.0 dB"));
        // A knob turned by a key (no drag): one step too.
        const int pan = knob()->value();
        knob()->setValue(50);
        QCOMPARE(window().song().undoText(), QString("Track pan"));
        QVERIFY(engineShows([](const Track& t) { return t.pan == 0.5; }));
        QVERIFY(window().song().undo());
        QVERIFY(engineShows([&](const Track& t) { return t.pan == pan / 100.0; }));
        QCOMPARE(knob()->value(), pan);
        QVERIFY(window().song().undo());  // the drag
        QVERIFY(engineShows([&](const Track& t) { return t.level == before; }));
    }

    void another_clients_level_shows_in_decibels() {
        auto reply = session_->probe().call(OscOut("/track/level").h(1).d(0.25).bytes(), "/track/level");
        QVERIFY(reply && reply->address == "/reply");
        QVERIFY(QTest::qWaitFor([&] { return fader()->level() == 0.25; }, 5000));
        QVERIFY(stripShows("-12.0 dB"));
    }
};

QTEST_MAIN(MixerNumbers)
#include "mixer_numbers.test.moc"
