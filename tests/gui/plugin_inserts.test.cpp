// LV2 plugins in the GUI against a real tactusd: the plugin browser lists the engine's plugins by
// category (a text filter narrows them; one Tactus cannot play is shown disabled with its reason);
// adding an insert through a track strip's "+" gives the engine the chain, and undo takes it back; the
// slots' move, bypass and remove commands each send the whole chain; the parameter editor shows an
// insert's controls with their ranges and units, and a slider moved reaches the engine's document; an
// LV2 instrument chosen in the strip's menu plays on the track, and its editor sets its parameters.
// Skipped when mda-lv2 is not installed.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPointer>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

#include "gui/insert_slots.h"
#include "gui/plugin_browser.h"
#include "gui/plugin_catalog.h"
#include "gui/plugin_parameter_editor.h"
#include "gui/plugin_services.h"
#include "gui/song_model.h"
#include "gui/track_panel.h"
#include "gui/track_strip.h"
#include "gui_session.h"
#include "server/osc_out.h"

using namespace tactus;
using namespace tactus::test;

namespace {
const QString kOverdrive = QStringLiteral("http://drobilla.net/plugins/mda/Overdrive");
const QString kDelay = QStringLiteral("http://drobilla.net/plugins/mda/Delay");
const QString kEPiano = QStringLiteral("http://drobilla.net/plugins/mda/EPiano");
}  // namespace

class PluginInserts : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<GuiSession> session_;

    gui::MainWindow& window() { return session_->window(); }
    Document engineDocument() { return session_->engineDocument(); }
    gui::TrackStrip* strip(TrackId id) {
        for (gui::TrackStrip* s : window().trackPanel().strips())
            if (s->trackId() == id) return s;
        return nullptr;
    }
    static Document song() {
        Document doc;
        Track keys;
        keys.id = 1;
        keys.name = "Keys";
        keys.preset = "pluck";
        keys.notes = {Note{1, 0.0, 1.0, 60, 0.0, 100}};
        doc.tracks = {keys};
        return doc;
    }
    bool installed(const QString& uri) {
        auto reply = session_->probe().call(OscOut("/plugin/controls").s(uri.toStdString()).bytes(),
                                            "/plugin/controls");
        return reply && reply->address == "/reply";
    }
    std::vector<std::string> chain(const Document& doc) {
        std::vector<std::string> out;
        for (const Insert& i : doc.tracks[0].inserts) out.push_back(i.plugin + (i.bypass ? " (bypass)" : ""));
        return out;
    }
    // Waits until the engine's document passes `check` (live settings have no reply to wait for).
    bool engineShows(const std::function<bool(const Document&)>& check) {
        return QTest::qWaitFor(
            [&] {
                const auto doc = session_->probe().document();
                return doc && check(*doc);
            },
            5000);
    }
    // Chooses plugin `uri` in a browser shown for `kind`, as the user would.
    void chooseInBrowser(const QString& uri, gui::PluginKind expected_kind) {
        window().trackPanel().setPluginChooser(
            [uri, expected_kind](QWidget* parent, gui::PluginCatalog& catalog,
                                 gui::PluginKind kind) -> std::optional<QString> {
                if (kind != expected_kind) return std::nullopt;
                gui::PluginBrowser browser(catalog, kind, parent);
                browser.show();
                if (!QTest::qWaitFor([&] { return catalog.isListed(); }, 10000)) return std::nullopt;
                browser.setFilter(uri.section('/', -1));
                if (!browser.selectPlugin(uri)) return std::nullopt;
                return browser.pick();
            });
    }

private slots:
    void initTestCase() {
        session_ = GuiSession::showing(song(), dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        if (!installed(kOverdrive) || !installed(kDelay) || !installed(kEPiano))
            QSKIP("mda-lv2 is not installed (apt-get install mda-lv2)");
    }
    void cleanupTestCase() { session_.reset(); }

    void the_browser_lists_the_engines_plugins_by_category() {
        gui::PluginCatalog& catalog = window().trackPanel().plugins().catalog();
        catalog.request();
        QVERIFY(QTest::qWaitFor([&] { return catalog.isListed(); }, 10000));
        gui::PluginBrowser browser(catalog, gui::PluginKind::Effect, &window());
        browser.show();
        QTreeWidget& tree = *browser.pluginTree();
        QVERIFY(tree.topLevelItemCount() > 1);  // categories
        // The filter narrows the list to the names or URIs that contain its text.
        browser.setFilter("mda/Overdrive");
        QStringList shown;
        for (QTreeWidgetItem* item : tree.findItems("*", Qt::MatchWildcard | Qt::MatchRecursive, 0))
            if (item->parent() && !item->isHidden()) shown << item->text(gui::PluginBrowser::kUriColumn);
        QCOMPARE(shown, QStringList{kOverdrive});
        QVERIFY(browser.selectPlugin(kOverdrive));
        QCOMPARE(browser.pick().value_or(QString()), kOverdrive);
        QVERIFY(!tree.currentItem()->text(2).isEmpty());  // its ports
        // An instrument is not offered as an effect.
        browser.setFilter("");
        QVERIFY(!browser.selectPlugin(kEPiano));
        // A category narrows the list to its branch.
        const QString category = catalog.find(kOverdrive)->category;
        browser.setCategory(category);
        for (int b = 0; b < tree.topLevelItemCount(); ++b)
            QCOMPARE(tree.topLevelItem(b)->isHidden(), tree.topLevelItem(b)->text(0) != category);
        browser.setCategory("");
        // A plugin Tactus cannot play is listed, disabled, with the reason.
        const gui::PluginInfo* unplayable = nullptr;
        for (const gui::PluginInfo& p : catalog.plugins())
            if (!p.playable() && p.isEffect()) unplayable = &p;
        if (!unplayable) QSKIP("every installed effect plugin can be played: nothing to show disabled");
        const auto items = tree.findItems(unplayable->uri, Qt::MatchExactly | Qt::MatchRecursive,
                                          gui::PluginBrowser::kUriColumn);
        QCOMPARE(items.size(), 1);
        QVERIFY(!(items[0]->flags() & Qt::ItemIsEnabled));
        QCOMPARE(items[0]->text(3), unplayable->whyNot);
        QVERIFY(!browser.selectPlugin(unplayable->uri));
    }

    void adding_an_insert_through_the_strip_sends_the_chain_and_undo_takes_it_back() {
        chooseInBrowser(kOverdrive, gui::PluginKind::Effect);
        strip(1)->inserts().addButton()->click();
        const Document doc = engineDocument();
        QCOMPARE(chain(doc), std::vector<std::string>{kOverdrive.toStdString()});
        QCOMPARE(comparable(window().song().document()), comparable(doc));
        QVERIFY(window().song().undoText().startsWith("Add insert"));
        QVERIFY(QTest::qWaitFor([&] { return strip(1)->inserts().count() == 1; }, 2000));

        QVERIFY(window().song().undo());
        QVERIFY(engineDocument().tracks[0].inserts.empty());
        QVERIFY(QTest::qWaitFor([&] { return strip(1)->inserts().count() == 0; }, 2000));
        QVERIFY(window().song().redo());
        QCOMPARE(chain(engineDocument()), std::vector<std::string>{kOverdrive.toStdString()});
    }

    void the_slots_move_bypass_and_remove_each_send_the_whole_chain() {
        gui::InsertSlots& chain_slots = strip(1)->inserts();
        QVERIFY(chain_slots.add(kDelay));
        const std::string od = kOverdrive.toStdString(), delay = kDelay.toStdString();
        QCOMPARE(chain(engineDocument()), (std::vector<std::string>{od, delay}));
        // The buttons act from the event loop (a command rebuilds the slots).
        chain_slots.slotWidget(1)->findChild<QToolButton*>("up")->click();
        QVERIFY(QTest::qWaitFor([&] { return window().song().undoText() == "Move insert"; }, 2000));
        QCOMPARE(chain(engineDocument()), (std::vector<std::string>{delay, od}));
        chain_slots.slotWidget(1)->findChild<QToolButton*>("bypass")->click();
        QVERIFY(QTest::qWaitFor([&] { return window().song().undoText() == "Bypass insert"; }, 2000));
        QCOMPARE(chain(engineDocument()), (std::vector<std::string>{delay, od + " (bypass)"}));
        chain_slots.slotWidget(0)->findChild<QToolButton*>("remove")->click();
        QVERIFY(QTest::qWaitFor([&] { return window().song().undoText() == "Remove insert"; }, 2000));
        QCOMPARE(chain(engineDocument()), (std::vector<std::string>{od + " (bypass)"}));
        QCOMPARE(comparable(window().song().document()), comparable(engineDocument()));
        // Undo, step by step, back to the Overdrive alone.
        for (int i = 0; i < 4; ++i) QVERIFY(window().song().undo());
        QCOMPARE(chain(engineDocument()), std::vector<std::string>{od});
        QVERIFY(QTest::qWaitFor([&] { return chain_slots.count() == 1; }, 2000));
    }

    void the_parameter_editor_shows_the_controls_and_a_slider_reaches_the_document() {
        gui::PluginParameterEditor* editor = strip(1)->inserts().edit(0);
        QVERIFY(editor);
        QVERIFY(QTest::qWaitFor([&] { return editor->isBuilt(); }, 5000));
        for (const char* symbol : {"drive", "muffle", "output"}) QVERIFY2(editor->control(symbol), symbol);
        const gui::PluginControl* drive = editor->port("drive");
        QCOMPARE(drive->minimum, 0.0);
        QCOMPARE(drive->maximum, 1.0);
        QCOMPARE(drive->defaultValue, 0.0);
        QCOMPARE(drive->name, QStringLiteral("Drive"));
        QCOMPARE(editor->valueLabel("output")->text().section(' ', 0, 0),
                 QStringLiteral("0.5"));  // its default
        auto* slider = qobject_cast<QSlider*>(editor->control("drive"));
        QVERIFY(slider);
        slider->setValue(slider->maximum() * 7 / 10);
        QVERIFY(engineShows([](const Document& d) {
            const auto& p = d.tracks[0].inserts[0].parameters;
            return p.count("drive") && std::abs(p.at("drive") - 0.7) < 1e-6;
        }));
        QCOMPARE(window().song().document().tracks[0].inserts[0].parameters.at("drive"), 0.7);
        QCOMPARE(editor->valueLabel("drive")->text().section(' ', 0, 0), QStringLiteral("0.7"));
        // The value stays with the insert: the chain sent again carries it.
        QVERIFY(strip(1)->inserts().add(kDelay));
        QCOMPARE(engineDocument().tracks[0].inserts[0].parameters.at("drive"), 0.7);
        // The editor goes when its insert does.
        QPointer<gui::PluginParameterEditor> watched(editor);
        QVERIFY(strip(1)->inserts().remove(0));
        QVERIFY(QTest::qWaitFor([&] { return watched.isNull(); }, 2000));
    }

    void an_lv2_instrument_is_chosen_in_the_strip_and_edited_live() {
        chooseInBrowser(kEPiano, gui::PluginKind::Instrument);
        auto* menu = strip(1)->findChild<QComboBox*>();
        QVERIFY(QTest::qWaitFor([&] { return menu->findText(gui::TrackStrip::pluginEntry()) >= 0; }, 5000));
        const int entry = menu->findText(gui::TrackStrip::pluginEntry());
        menu->setCurrentIndex(entry);
        emit menu->activated(entry);
        const Document doc = engineDocument();
        QCOMPARE(doc.tracks[0].instrument, std::string("lv2"));
        QCOMPARE(QString::fromStdString(doc.tracks[0].plugin), kEPiano);
        QCOMPARE(window().song().undoText(), QStringLiteral("Choose LV2 instrument"));
        QVERIFY(
            QTest::qWaitFor([&] { return strip(1)->instrumentEditButton()->isVisibleTo(strip(1)); }, 2000));
        QVERIFY(strip(1)->findChild<QComboBox*>()->currentText().startsWith("LV2: "));  // a new strip

        strip(1)->instrumentEditButton()->click();
        gui::PluginParameterEditor* editor = nullptr;
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (auto* e : window().findChildren<gui::PluginParameterEditor*>())
                    if (e->target().instrument && e->isBuilt()) editor = e;
                return editor != nullptr;
            },
            5000));
        const gui::PluginControl* first = nullptr;
        for (const char* symbol : {"treble_boost", "modulation", "envelope_decay"})
            if (!first) first = editor->port(symbol);
        QVERIFY(first);
        auto* slider = qobject_cast<QSlider*>(editor->control(QString::fromStdString(first->symbol)));
        QVERIFY(slider);
        slider->setValue(slider->maximum());
        const std::string symbol = first->symbol;
        const double maximum = first->maximum;
        QVERIFY(engineShows([&](const Document& d) {
            const auto& p = d.tracks[0].parameters;
            return p.count(symbol) && std::abs(p.at(symbol) - maximum) < 1e-6;
        }));
        editor->close();
        QVERIFY(window().song().undo());
        QCOMPARE(engineDocument().tracks[0].instrument, std::string("synth"));
    }

    void slider_positions_follow_the_ports_flags() {
        gui::PluginControl toggle{"on", "On", 0, 1, 0, "", gui::PluginControl::kToggle};
        QCOMPARE(gui::controlSteps(toggle), 1);
        QCOMPARE(gui::controlValue(toggle, 1), 1.0);
        QCOMPARE(gui::controlText(toggle, 1.0), QStringLiteral("on"));
        gui::PluginControl whole{"voices", "Voices", 1, 8, 4, "", gui::PluginControl::kInteger};
        QCOMPARE(gui::controlSteps(whole), 7);
        QCOMPARE(gui::controlValue(whole, 3), 4.0);
        QCOMPARE(gui::controlStep(whole, 8.0), 7);
        gui::PluginControl log{"freq", "Frequency", 20, 20000, 1000, "Hz", gui::PluginControl::kLogarithmic};
        QCOMPARE(gui::controlValue(log, 0), 20.0);
        QVERIFY(std::abs(gui::controlValue(log, gui::PluginParameterEditor::kSliderSteps / 2) - 632.456) <
                0.01);
        QCOMPARE(gui::controlStep(log, 20000.0), gui::PluginParameterEditor::kSliderSteps);
        QCOMPARE(gui::controlText(log, 440.0), QStringLiteral("440 Hz"));
    }
};

QTEST_MAIN(PluginInserts)
#include "plugin_inserts.test.moc"
