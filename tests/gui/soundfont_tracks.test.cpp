// SoundFont tracks in the GUI against a real tactusd: a soundfont track's strip names its preset as the
// engine lists the font; "SoundFont…" in a strip's menu opens the dialog, which lists the presets the
// engine reports for a font (grouped by bank, the drum kits in bank 128), and choosing one sends one
// undoable edit with that font, bank and program (a drum kit checks the drums box); a font the engine
// cannot read shows its error and offers nothing; opening a MIDI file gives its tracks the installed
// General MIDI font's presets (the drum kit for channel 10), named on their strips.
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include "core/atomic_file.h"
#include "core/general_midi_font.h"
#include "core/midi_convert.h"
#include "core/midi_file.h"
#include "gui/song_model.h"
#include "gui/soundfont_choice.h"
#include "gui/soundfont_presets.h"
#include "gui/track_panel.h"
#include "gui/track_strip.h"
#include "gui_session.h"
#include "support/test_soundfont.h"

using namespace tactus;
using namespace tactus::test;

class SoundFontTracks : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<GuiSession> session_;
    QString font_;  // the test's font (support/test_soundfont.h), canonical path

    gui::MainWindow& window() { return session_->window(); }
    Document engineDocument() { return session_->engineDocument(); }
    gui::TrackStrip* strip(TrackId id) {
        for (gui::TrackStrip* s : window().trackPanel().strips())
            if (s->trackId() == id) return s;
        return nullptr;
    }
    QString shown(TrackId id) {
        return strip(id) ? strip(id)->findChild<QComboBox*>()->currentText() : QString();
    }
    Document song() const {
        Document doc;
        Track keys;
        keys.id = 1;
        keys.name = "Keys";
        keys.preset = "pluck";
        Track sine;
        sine.id = 2;
        sine.name = "Sine";
        sine.instrument = "soundfont";
        sine.preset = "0:2";
        sine.soundfont = font_.toStdString();
        sine.program = 2;
        sine.notes = {Note{1, 0.0, 1.0, 69, 0.0, 100}};
        doc.tracks = {keys, sine};
        return doc;
    }
    // The presets a dialog lists: "Bank 0: 0 Left, 1 Right…" per bank, in order.
    static QStringList listed(const QTreeWidget& tree) {
        QStringList out;
        for (int b = 0; b < tree.topLevelItemCount(); ++b) {
            const QTreeWidgetItem* bank = tree.topLevelItem(b);
            QStringList presets;
            for (int i = 0; i < bank->childCount(); ++i)
                presets << bank->child(i)->text(0) + " " + bank->child(i)->text(1);
            out << bank->text(0) + ": " + presets.join(", ");
        }
        return out;
    }
    // Chooses "SoundFont…" in track `id`'s menu; `answer` plays the user in the dialog (shown, not modal).
    void chooseInMenu(TrackId id,
                      std::function<std::optional<gui::SoundFontPick>(gui::SoundFontDialog&)> answer) {
        window().trackPanel().setSoundFontChooser(
            [answer](QWidget* parent, gui::SoundFontPresets& presets, const edit::SoundFontChoice& current) {
                gui::SoundFontDialog dialog(presets, current, parent);
                dialog.show();
                return answer(dialog);
            });
        auto* menu = strip(id)->findChild<QComboBox*>();
        const int entry = menu->findText(gui::TrackStrip::soundFontEntry());
        QVERIFY(entry >= 0);
        menu->setCurrentIndex(entry);
        emit menu->activated(entry);
    }
    static bool listsPresets(const gui::SoundFontDialog& dialog) {
        return QTest::qWaitFor([&] { return dialog.presetTree()->topLevelItemCount() > 0; }, 10000);
    }

private slots:
    void initTestCase() {
        write_test_soundfont(dir_.filePath("test.sf2").toStdString());
        font_ = QFileInfo(dir_.filePath("test.sf2")).canonicalFilePath();
        session_ = GuiSession::showing(song(), dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         return strip(1) && strip(1)->findChild<QComboBox*>()->findText(
                                                gui::TrackStrip::soundFontEntry()) >= 0;
                     },
                     5000),
                 "the engine's soundfont instrument never reached the track menus");
    }
    void cleanupTestCase() { session_.reset(); }

    void a_soundfont_track_shows_its_presets_name_from_the_engine() {
        QVERIFY2(QTest::qWaitFor([&] { return shown(2) == "SoundFont: Sine (test.sf2)"; }, 5000),
                 qPrintable("the strip shows " + shown(2)));
        // The menu offers the dialog once, not the default font's presets one by one.
        auto* menu = strip(1)->findChild<QComboBox*>();
        for (int i = 0; i < menu->count(); ++i)
            QVERIFY2(!menu->itemText(i).startsWith("soundfont/"), qPrintable(menu->itemText(i)));
    }

    void choosing_a_preset_by_name_sends_one_undoable_edit() {
        QStringList seen, found;
        chooseInMenu(1, [&](gui::SoundFontDialog& dialog) -> std::optional<gui::SoundFontPick> {
            dialog.setSoundFont(font_);
            if (!listsPresets(dialog)) return std::nullopt;
            seen = listed(*dialog.presetTree());
            // The search field narrows the list to the names that contain its text.
            dialog.findChild<QLineEdit*>()->setText("lay");
            for (QTreeWidgetItem* item :
                 dialog.presetTree()->findItems("*", Qt::MatchWildcard | Qt::MatchRecursive, 1))
                if (!item->isHidden()) found << item->text(1);
            if (!dialog.selectPreset(0, 3)) return std::nullopt;
            return dialog.pick();
        });
        QCOMPARE(seen, (QStringList{"Bank 0: 0 Left, 1 Right, 2 Sine, 3 Layers, 4 Split",
                                    "Bank 128: drum kits: 0 Kit"}));
        const Document doc = engineDocument();
        const Track& t = doc.tracks[0];
        QCOMPARE(t.instrument, std::string("soundfont"));
        QCOMPARE(QString::fromStdString(t.soundfont), font_);
        QCOMPARE(t.bank, 0);
        QCOMPARE(t.program, 3);
        QVERIFY(!t.drums);
        QCOMPARE(t.preset, std::string("0:3"));
        QCOMPARE(comparable(window().song().document()), comparable(doc));
        QCOMPARE(window().song().undoText(), QStringLiteral("Choose SoundFont preset"));
        QVERIFY2(QTest::qWaitFor([&] { return shown(1) == "SoundFont: Layers (test.sf2)"; }, 5000),
                 qPrintable("the strip shows " + shown(1)));

        QVERIFY(window().song().undo());
        const Document undone = engineDocument();
        QCOMPARE(undone.tracks[0].instrument, std::string("synth"));
        QCOMPARE(undone.tracks[0].preset, std::string("pluck"));
        QCOMPARE(comparable(window().song().document()), comparable(undone));
        QVERIFY2(QTest::qWaitFor([&] { return shown(1) == "synth/pluck"; }, 5000), qPrintable(shown(1)));
    }

    void the_dialog_starts_on_the_tracks_preset_and_a_drum_kit_makes_a_drum_track() {
        bool started_on_sine = false;
        chooseInMenu(2, [&](gui::SoundFontDialog& dialog) -> std::optional<gui::SoundFontPick> {
            if (!listsPresets(dialog)) return std::nullopt;
            const auto first = dialog.pick();
            started_on_sine = first && first->bank == 0 && first->program == 2 && first->name == "Sine" &&
                              dialog.soundFont() == font_;
            if (!dialog.selectPreset(128, 0)) return std::nullopt;
            if (!dialog.drumsBox()->isChecked()) return std::nullopt;  // a drum kit: a drum track
            return dialog.pick();
        });
        QVERIFY2(started_on_sine, "the dialog did not start on the track's font and preset");
        const Track t = engineDocument().tracks[1];
        QCOMPARE(t.bank, 128);
        QCOMPARE(t.program, 0);
        QVERIFY(t.drums);
        QCOMPARE(t.preset, std::string("128:0"));
        QVERIFY2(QTest::qWaitFor([&] { return shown(2) == "SoundFont: Kit (test.sf2)"; }, 5000),
                 qPrintable(shown(2)));
        QVERIFY(window().song().undo());
        QCOMPARE(engineDocument().tracks[1].program, 2);
    }

    void a_font_the_engine_cannot_read_shows_its_error_and_offers_nothing() {
        QFile bad(dir_.filePath("notes.sf2"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(QByteArray("RIFF\x04\0\0\0WAVE", 12));
        bad.close();
        gui::SoundFontDialog dialog(window().trackPanel().soundFonts(), {}, &window());
        dialog.show();
        dialog.setSoundFont(QFileInfo(bad).absoluteFilePath());
        QVERIFY2(QTest::qWaitFor([&] { return dialog.statusLabel()->text().contains("byte "); }, 5000),
                 qPrintable(dialog.statusLabel()->text()));
        QVERIFY2(dialog.statusLabel()->text().contains("notes.sf2"),
                 qPrintable(dialog.statusLabel()->text()));
        QCOMPARE(dialog.presetTree()->topLevelItemCount(), 0);
        QVERIFY(!dialog.pick());
        QVERIFY(!dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
    }

    void opening_a_midi_file_plays_the_general_midi_fonts_presets() {
        if (installed_general_midi_font().empty())
            QSKIP("the General MIDI font (fluid-soundfont-gm) is not installed");
        Document doc;
        Track violin;
        violin.id = 1;
        violin.name = "Violin";
        violin.controllers = {ControllerEvent{0.0, ControllerKind::ProgramChange, 40, 0.0}};
        violin.notes = {Note{1, 0.0, 1.0, 67, 0.0, 100}};
        Track drums;
        drums.id = 2;
        drums.name = "Drums";
        drums.preset = "drums";  // exported on channel 10
        drums.notes = {Note{2, 0.0, 0.5, 36, 0.0, 100}};
        doc.tracks = {violin, drums};
        const QString mid = dir_.filePath("gm.mid");
        const auto bytes = serialise_midi(export_midi(doc).file);
        std::string error;
        QVERIFY(write_file_atomically(mid.toStdString(), std::string(bytes.begin(), bytes.end()), &error));
        // The engine answers the load once the font is in memory (148 MB for FluidR3_GM).
        QSignalSpy loaded(&window().song(), &gui::SongModel::engineLoaded);
        QString open_error;
        QVERIFY2(window().openFile(mid, &open_error), qPrintable(open_error));
        QVERIFY2(loaded.wait(60000), "the engine never took the imported file");

        const Document engine = engineDocument();
        QCOMPARE(engine.tracks.size(), std::size_t(2));
        for (const Track& t : engine.tracks) {
            QCOMPARE(t.instrument, std::string("soundfont"));
            QCOMPARE(t.soundfont, std::string(kGeneralMidiFont));
        }
        QCOMPARE(engine.tracks[0].program, 40);
        QCOMPARE(engine.tracks[0].bank, 0);
        QVERIFY(!engine.tracks[0].drums);
        QCOMPARE(engine.tracks[1].bank, 128);
        QVERIFY(engine.tracks[1].drums);
        QCOMPARE(comparable(window().song().document()), comparable(engine));

        // Named on the strips from the font, as the engine lists it.
        gui::SoundFontPresets& fonts = window().trackPanel().soundFonts();
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         const auto* gm = fonts.presets(QString(kGeneralMidiFont));
                         return gm && gm->answered;
                     },
                     10000),
                 "the engine never listed the General MIDI font");
        const gui::FontPresets& gm = *fonts.presets(QString(kGeneralMidiFont));
        QVERIFY2(gm.error.isEmpty(), qPrintable(gm.error));
        QVERIFY(gm.find(0, 40) && gm.find(128, 0));
        const TrackId violin_id = engine.tracks[0].id, drums_id = engine.tracks[1].id;
        QVERIFY2(
            QTest::qWaitFor([&] { return shown(violin_id) == "SoundFont: " + gm.find(0, 40)->name; }, 5000),
            qPrintable(shown(violin_id)));
        QVERIFY2(
            QTest::qWaitFor([&] { return shown(drums_id) == "SoundFont: " + gm.find(128, 0)->name; }, 5000),
            qPrintable(shown(drums_id)));
    }
};

QTEST_MAIN(SoundFontTracks)
#include "soundfont_tracks.test.moc"
