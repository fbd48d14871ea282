// Csound tracks in the GUI against a real tactusd: a loaded csound track's parameters show as labelled
// controls on its strip (a slider over a declared range, a spin box without one) and moving one sets
// it in the engine; another client's change moves the control; choosing "csound" in a strip's menu
// sends the orchestra and instrument picked (one undoable edit) and undo brings the previous
// instrument back, in the engine too; an orchestra Csound cannot compile plays silent, its line shown
// in the status bar. Also the instrument list the GUI reads from an orchestra's text.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QSlider>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include "gui/csound_choice.h"
#include "gui/song_model.h"
#include "gui/track_panel.h"
#include "gui/track_strip.h"
#include "gui_session.h"
#include "server/osc_out.h"

using namespace tactus;
using namespace tactus::test;

namespace {

constexpr const char* kOrchestra =
    "ksmps = 32\nnchnls = 2\n0dbfs = 1\nchn_k \"cutoff\", 1, 2, 1000, 20, 20000\nchn_k \"drive\", 1\n"
    "instr 1, Bell ; two names\n  k1 chnget \"cutoff\"\n  k2 chnget \"drive\"\n  asig oscili 0.1, p6\n"
    "  outs asig, asig\nendin\n";

}  // namespace

class CsoundTracks : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<GuiSession> session_;
    QString orchestra_;

    gui::MainWindow& window() { return session_->window(); }
    Document engineDocument() { return session_->engineDocument(); }
    gui::TrackStrip* strip(TrackId id) {
        for (gui::TrackStrip* s : window().trackPanel().strips())
            if (s->trackId() == id) return s;
        return nullptr;
    }
    Document song() const {
        Document doc;
        Track keys;
        keys.id = 1;
        keys.name = "Keys";
        keys.preset = "pluck";
        Track bell;
        bell.id = 2;
        bell.name = "Bell";
        bell.instrument = "csound";
        bell.orchestra = orchestra_.toStdString();
        bell.csound_instrument = "Bell";
        bell.parameters = {{"cutoff", 5000.0}};
        bell.notes = {Note{1, 0.0, 1.0, 69, 0.0, 100}};
        doc.tracks = {keys, bell};
        return doc;
    }
    static void write(const QString& path, const char* text) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
    }

private slots:
    void initTestCase() {
        write(dir_.filePath("bell.orc"), kOrchestra);
        orchestra_ = QFileInfo(dir_.filePath("bell.orc")).canonicalFilePath();
        session_ = GuiSession::showing(song(), dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        QVERIFY2(
            QTest::qWaitFor(
                [&] { return strip(1) && strip(1)->findChild<QComboBox*>()->findText("csound") >= 0; }, 5000),
            "the engine's csound instrument never reached the track menus");
    }
    void cleanupTestCase() { session_.reset(); }

    void the_instruments_of_an_orchestra_are_read_from_its_instr_lines() {
        QCOMPARE(gui::orchestraInstruments(kOrchestra), (QStringList{"1", "Bell"}));
        QCOMPARE(
            gui::orchestraInstruments("<CsoundSynthesizer><CsInstruments>\ninstr 3\nendin\n  instr "
                                      "+Pluck,7 // x\nendin\n;instr 9\n</CsInstruments><CsScore>\ninstr 4\n"
                                      "</CsScore></CsoundSynthesizer>"),
            (QStringList{"3", "Pluck", "7"}));
    }

    void a_loaded_csound_tracks_parameters_show_and_moving_one_sets_it_in_the_engine() {
        QVERIFY2(QTest::qWaitFor([&] { return strip(2) && strip(2)->parameterControl("drive"); }, 5000),
                 "the csound track's parameters never showed");
        auto* cutoff = qobject_cast<QSlider*>(strip(2)->parameterControl("cutoff"));
        auto* drive = qobject_cast<QDoubleSpinBox*>(strip(2)->parameterControl("drive"));
        QVERIFY2(cutoff, "a declared range gets a slider");
        QVERIFY2(drive, "no declared range: a spin box");
        QCOMPARE(cutoff->value(), 249);  // the document's 5000 on 20..20000 in 1000 steps
        QCOMPARE(strip(2)->findChildren<QLabel*>("parameterName").size(), 2);

        cutoff->setValue(500);  // 20 + 19980 / 2
        drive->setValue(0.25);
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         const auto p = session_->probe().document()->tracks[1].parameters;
                         return p.count("cutoff") && p.at("cutoff") == 10010.0 && p.count("drive") &&
                                p.at("drive") == 0.25;
                     },
                     5000),
                 "the moved controls never reached the engine");
    }

    void another_clients_change_moves_the_control() {
        QVERIFY(QTest::qWaitFor([&] { return strip(2) && strip(2)->parameterControl("cutoff"); }, 5000));
        const auto answer = session_->probe().call(
            OscOut("/track/parameter").h(2).s("cutoff").d(20000.0).bytes(), "/track/parameter");
        QVERIFY(answer && answer->address == "/reply");
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         auto* cutoff = qobject_cast<QSlider*>(strip(2)->parameterControl("cutoff"));
                         return cutoff && cutoff->value() == 1000;
                     },
                     5000),
                 "the other client's value never moved the slider");
        QCOMPARE(window().song().track(2)->parameters.at("cutoff"), 20000.0);
    }

    void choosing_an_orchestra_sends_it_and_undo_restores_the_previous_instrument() {
        window().trackPanel().setCsoundChooser([this](QWidget*) {
            return gui::CsoundPick{orchestra_, QStringLiteral("1")};
        });
        const Document before = engineDocument();
        auto* menu = strip(1)->findChild<QComboBox*>();
        const int csound = menu->findText("csound");
        QVERIFY(csound >= 0);
        menu->setCurrentIndex(csound);
        emit menu->activated(csound);
        Document doc = engineDocument();
        QCOMPARE(doc.tracks[0].instrument, std::string("csound"));
        QCOMPARE(QString::fromStdString(doc.tracks[0].orchestra), orchestra_);
        QCOMPARE(doc.tracks[0].csound_instrument, std::string("1"));
        QVERIFY2(QTest::qWaitFor([&] { return strip(1) && strip(1)->parameterControl("cutoff"); }, 5000),
                 "the new csound track's parameters never showed");
        QCOMPARE(window().song().undoText(), QStringLiteral("Choose Csound orchestra"));

        QVERIFY(window().song().undo());
        doc = engineDocument();
        QCOMPARE(doc.tracks[0].instrument, std::string("synth"));
        QCOMPARE(doc.tracks[0].preset, std::string("pluck"));
        QCOMPARE(comparable(doc), comparable(before));
        QVERIFY2(QTest::qWaitFor([&] { return strip(1) && !strip(1)->parameterControl("cutoff"); }, 5000),
                 "the synth track still shows the orchestra's controls");
    }

    void an_orchestra_that_does_not_compile_plays_silent_and_its_line_is_shown() {
        const QString broken = dir_.filePath("broken.orc");
        write(broken,
              "ksmps = 32\n\ninstr 1\n  aout oscil 1, 440\n  gkcut chn_k\n  outs aout, aout\nendin\n");
        window().trackPanel().setCsoundChooser([broken](QWidget*) {
            return gui::CsoundPick{broken, QStringLiteral("1")};
        });
        const Document before = engineDocument();
        auto* menu = strip(1)->findChild<QComboBox*>();
        const int csound = menu->findText("csound");
        menu->setCurrentIndex(csound);
        emit menu->activated(csound);
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         const QString shown = window().statusBar()->currentMessage();
                         return shown.contains(QFileInfo(broken).canonicalFilePath() + ":5:") &&
                                shown.contains("syntax error") && shown.contains("plays silent");
                     },
                     5000),
                 qPrintable("the status bar says: " + window().statusBar()->currentMessage()));
        QCOMPARE(QString::fromStdString(engineDocument().tracks[0].orchestra),
                 QFileInfo(broken).canonicalFilePath());
        QVERIFY(window().song().undo());
        QCOMPARE(comparable(engineDocument()), comparable(before));
    }
};

QTEST_MAIN(CsoundTracks)
#include "csound_tracks.test.moc"
