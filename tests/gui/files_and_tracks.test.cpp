// Tracks and files against a real tactusd: a track added, renamed through its name field and given
// another instrument through its menu, then removed (each in the engine's document); MIDI export and
// re-import keep every note; render to WAV through the progress dialog writes the file; another
// client's mixer change shows on the strip; undoing a track's removal brings it back whole (mixer,
// channel, controller events, notes), in the engine too.
#include <QComboBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include "core/document_json.h"
#include "gui/mixer_controls.h"
#include "gui/render_dialog.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"
#include "gui/track_panel.h"
#include "gui/track_strip.h"
#include "gui_session.h"
#include "server/osc_out.h"

using namespace tactus;
using namespace tactus::test;

class FilesAndTracks : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<GuiSession> session_;

    gui::MainWindow& window() { return session_->window(); }
    Document engineDocument() { return session_->engineDocument(); }
    static Document song() {
        Document doc;
        Track t;
        t.id = 1;
        t.name = "Keys";
        t.preset = "pluck";
        for (int i = 0; i < 16; ++i)
            t.notes.push_back(Note{NoteId(i + 1), i * 0.25, 0.25, 60 + i, 0.0, 64 + i});
        doc.tracks = {t};
        return doc;
    }

private slots:
    void initTestCase() {
        session_ = GuiSession::showing(song(), dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         auto* strip = window().trackPanel().strips().front();
                         return strip->findChild<QComboBox*>()->count() > 5;
                     },
                     5000),
                 "the engine's instruments never reached the track menus");
    }
    void cleanupTestCase() { session_.reset(); }

    void a_track_is_added_renamed_re_instrumented_and_removed() {
        window().trackPanel().addTrack();
        Document doc = engineDocument();
        QCOMPARE(doc.tracks.size(), std::size_t(2));
        const TrackId added = doc.tracks[1].id;
        QCOMPARE(window().rollState().currentTrack(), added);
        gui::TrackStrip* strip = window().trackPanel().strips().back();
        QCOMPARE(strip->trackId(), added);

        auto* name = strip->findChild<QLineEdit*>();
        name->setFocus();
        name->selectAll();
        QTest::keyClicks(name, "Strings");
        QTest::keyClick(name, Qt::Key_Return);
        QCOMPARE(engineDocument().tracks[1].name, std::string("Strings"));

        strip = window().trackPanel().strips().back();  // the panel rebuilds on track edits
        auto* instrument = strip->findChild<QComboBox*>();
        const int pad = instrument->findText("synth/pad");
        QVERIFY(pad >= 0);
        instrument->setCurrentIndex(pad);
        emit instrument->activated(pad);
        doc = engineDocument();
        QCOMPARE(doc.tracks[1].instrument, std::string("synth"));
        QCOMPARE(doc.tracks[1].preset, std::string("pad"));

        window().trackPanel().removeCurrentTrack();
        QCOMPARE(engineDocument().tracks.size(), std::size_t(1));
    }

    void another_clients_mixer_shows_and_undoing_a_removal_brings_the_track_back_whole() {
        window().trackPanel().addTrack();
        const Document added_doc = engineDocument();
        QCOMPARE(added_doc.tracks.size(), std::size_t(2));
        const TrackId id = added_doc.tracks[1].id;
        gui::TrackStrip* strip = window().trackPanel().strips().back();
        QCOMPARE(strip->trackId(), id);
        strip->findChild<gui::LevelFader*>()->editLevel(0.4);  // the user's fader: level 0.4
        window().song().setTrackPan(id, -0.5);
        window().song().apply({edit::NoteAdd{id, Note{500, 1.0, 1.0, 48, 0.0, 90}}}, "note");

        // Another client: the sustain pedal on that track (an edit) and a mute (a mixer change).
        auto& probe = session_->probe();
        const auto pedal = probe.call(OscOut("/track/controllers")
                                          .h(std::int64_t(id))
                                          .d(1.0)
                                          .s("cc")
                                          .i(64)
                                          .d(127.0)
                                          .d(2.0)
                                          .s("cc")
                                          .i(64)
                                          .d(0.0)
                                          .bytes(),
                                      "/track/controllers");
        QVERIFY(pedal && pedal->address == "/reply");
        const auto mute = probe.call(OscOut("/track/mute").h(std::int64_t(id)).i(1).bytes(), "/track/mute");
        QVERIFY(mute && mute->address == "/reply");
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         const Track* t = window().song().track(id);
                         return t && t->controllers.size() == 2 && t->mute;
                     },
                     5000),
                 "the other client's pedal and mute never reached the GUI");
        strip = window().trackPanel().strips().back();
        QToolButton* mute_button = nullptr;
        for (auto* b : strip->findChildren<QToolButton*>())
            if (b->text() == "M") mute_button = b;
        QVERIFY(mute_button && mute_button->isChecked());

        const Document before = engineDocument();
        const Track& kept = before.tracks[1];
        QCOMPARE(kept.level, 0.4);
        QCOMPARE(kept.pan, -0.5);
        QVERIFY(kept.mute);
        QCOMPARE(kept.controllers.size(), std::size_t(2));
        QCOMPARE(comparable(window().song().document()), comparable(before));

        window().rollState().setCurrentTrack(id);
        window().trackPanel().removeCurrentTrack();
        QCOMPARE(engineDocument().tracks.size(), std::size_t(1));
        QVERIFY(window().song().undo());
        const Document after = engineDocument();
        QCOMPARE(comparable(after), comparable(before));
        QCOMPARE(comparable(window().song().document()), comparable(before));
        window().rollState().setCurrentTrack(id);
        window().trackPanel().removeCurrentTrack();
        QCOMPARE(engineDocument().tracks.size(), std::size_t(1));
    }

    void midi_export_and_reimport_keep_every_note() {
        const QString mid = dir_.filePath("out.mid");
        QString error;
        QVERIFY2(window().exportMidiTo(mid, &error), qPrintable(error));
        QVERIFY2(window().openFile(mid, &error), qPrintable(error));
        QVERIFY(window().currentPath().isEmpty());  // an import is a new, unsaved document
        const Document doc = engineDocument();
        std::vector<std::tuple<double, double, int, int>> got, want;
        for (const Track& t : doc.tracks)
            for (const Note& n : t.notes) got.emplace_back(n.start, n.length, n.pitch, n.velocity);
        const Document original = song();
        for (const Note& n : original.tracks[0].notes)
            want.emplace_back(n.start, n.length, n.pitch, n.velocity);
        std::sort(got.begin(), got.end());
        QCOMPARE(got, want);
    }

    void render_to_wav_writes_the_file_and_reports_success() {
        const QString wav = dir_.filePath("render.wav");
        gui::RenderDialog dialog(window().song().snapshot(), wav, TACTUS_CLI_PATH, &window());
        dialog.show();
        QVERIFY2(QTest::qWaitFor([&] { return dialog.succeeded(); }, 30000), "the render did not finish");
        QVERIFY(QFileInfo(wav).size() > 48000);  // over a second of stereo audio, plus the header
    }

    void render_to_an_unwritable_place_says_why() {
        gui::RenderDialog dialog(window().song().snapshot(), "/nonexistent/dir/x.wav", TACTUS_CLI_PATH,
                                 &window());
        dialog.show();
        QVERIFY(
            QTest::qWaitFor([&] { return dialog.findChild<QLabel*>()->text().contains("failed"); }, 30000));
        QVERIFY(!dialog.succeeded());
        QVERIFY2(dialog.findChild<QLabel*>()->text().contains("/nonexistent/dir/x.wav"),
                 qPrintable(dialog.findChild<QLabel*>()->text()));
    }
};

QTEST_MAIN(FilesAndTracks)
#include "files_and_tracks.test.moc"
