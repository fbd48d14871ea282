// Effect buses and sends in the GUI against a real tactusd: "Add bus" adds a bus the engine holds; a
// track strip's send to it, its level moved live (not an edit) and its pre-fader switch (an edit) reach
// the engine's document; a bus strip's level, name and inserts do too, and the master strip's inserts;
// removing a bus that tracks send to removes those sends in the same batch, and undo brings all back;
// another client's send level and bus level show on the strips.
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include "gui/bus_panel.h"
#include "gui/bus_strip.h"
#include "gui/insert_slots.h"
#include "gui/master_strip.h"
#include "gui/mixer_controls.h"
#include "gui/send_controls.h"
#include "gui/song_model.h"
#include "gui/track_panel.h"
#include "gui/track_strip.h"
#include "gui_session.h"
#include "server/osc_out.h"

using namespace tactus;
using namespace tactus::test;

namespace {
const QString kOverdrive = QStringLiteral("http://drobilla.net/plugins/mda/Overdrive");
}

class BusesAndSends : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<GuiSession> session_;
    BusId bus_ = 0;

    gui::MainWindow& window() { return session_->window(); }
    gui::BusPanel& buses() { return window().trackPanel().busPanel(); }
    Document engineDocument() { return session_->engineDocument(); }
    gui::TrackStrip* strip(TrackId id) {
        for (gui::TrackStrip* s : window().trackPanel().strips())
            if (s->trackId() == id) return s;
        return nullptr;
    }
    static Document song() {
        Document doc;
        for (TrackId id : {1, 2}) {
            Track t;
            t.id = id;
            t.name = "T" + std::to_string(id);
            t.preset = "pluck";
            doc.tracks.push_back(t);
        }
        return doc;
    }
    bool engineShows(const std::function<bool(const Document&)>& check) {
        return QTest::qWaitFor(
            [&] {
                const auto doc = session_->probe().document();
                return doc && check(*doc);
            },
            5000);
    }

private slots:
    void initTestCase() {
        session_ = GuiSession::showing(song(), dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
    }
    void cleanupTestCase() { session_.reset(); }

    void adding_a_bus_and_a_send_and_moving_its_level_reach_the_engine() {
        bus_ = buses().addBus();
        QVERIFY(bus_ != 0);
        Document doc = engineDocument();
        QCOMPARE(doc.buses.size(), std::size_t(1));
        QCOMPARE(doc.buses[0].name, std::string("Bus 1"));
        QVERIFY(QTest::qWaitFor([&] { return buses().strip(bus_) != nullptr; }, 2000));

        // The strip's "+" offers the bus.
        QToolButton* add = strip(1)->sends().addButton();
        emit add->menu()->aboutToShow();
        QCOMPARE(add->menu()->actions().size(), 1);
        add->menu()->actions()[0]->trigger();
        doc = engineDocument();
        QCOMPARE(doc.tracks[0].sends, (std::vector<Send>{Send{bus_, 1.0, false}}));
        QCOMPARE(window().song().undoText(), QStringLiteral("Add send"));

        // The level acts live: no edit, no revision; the gesture is one undo step.
        const std::uint64_t revision = doc.revision;
        gui::LevelFader* level = strip(1)->sends().levelSlider(bus_);
        QVERIFY(level);
        level->editLevel(0.5);
        QVERIFY(engineShows([&](const Document& d) { return d.tracks[0].sends[0].level == 0.5; }));
        QCOMPARE(engineDocument().revision, revision);
        QCOMPARE(window().song().document().tracks[0].sends[0].level, 0.5);
        QCOMPARE(window().song().undoText(), QStringLiteral("Send level"));
        QVERIFY(window().song().undo());
        QVERIFY(engineShows([&](const Document& d) { return d.tracks[0].sends[0].level == 1.0; }));
        QCOMPARE(strip(1)->sends().levelSlider(bus_)->level(), 1.0);
        QVERIFY(window().song().redo());
        QVERIFY(engineShows([&](const Document& d) { return d.tracks[0].sends[0].level == 0.5; }));
        QCOMPARE(engineDocument().revision, revision);

        // Pre-fader is an edit.
        strip(1)->sends().preFaderButton(bus_)->click();
        QVERIFY(QTest::qWaitFor([&] { return window().song().undoText() == "Send pre-fader"; }, 2000));
        doc = engineDocument();
        QCOMPARE(doc.tracks[0].sends, (std::vector<Send>{Send{bus_, 0.5, true}}));
        QVERIFY(window().song().undo());
        QVERIFY(!engineDocument().tracks[0].sends[0].pre_fader);
        QCOMPARE(comparable(window().song().document()), comparable(engineDocument()));
    }

    void the_bus_strip_sets_level_name_and_inserts() {
        gui::BusStrip* bus = buses().strip(bus_);
        QVERIFY(bus);
        bus->levelSlider()->editLevel(0.8);
        QVERIFY(engineShows([](const Document& d) { return d.buses[0].level == 0.8; }));
        bus->nameEdit()->setText("Hall");
        emit bus->nameEdit()->editingFinished();
        QCOMPARE(engineDocument().buses[0].name, std::string("Hall"));
        QCOMPARE(window().song().undoText(), QStringLiteral("Rename bus"));
        // The sends name the bus anew.
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const QLabel* label : strip(1)->sends().findChildren<QLabel*>())
                    if (label->text() == "Hall") return true;
                return false;
            },
            2000));

        auto installed = session_->probe().call(
            OscOut("/plugin/controls").s(kOverdrive.toStdString()).bytes(), "/plugin/controls");
        if (!installed || installed->address != "/reply") QSKIP("mda-lv2 is not installed");
        QVERIFY(buses().strip(bus_)->inserts().add(kOverdrive));
        QCOMPARE(engineDocument().buses[0].inserts.size(), std::size_t(1));
        QVERIFY(window().trackPanel().masterStrip().inserts().add(kOverdrive));
        Document doc = engineDocument();
        QCOMPARE(doc.master_inserts.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(doc.master_inserts[0].plugin), kOverdrive);
        window().song().setInsertParameter(InsertOwner::Master, 0, 0, "drive", 0.25);
        QVERIFY(engineShows([](const Document& d) { return d.master_inserts[0].parameters.count("drive"); }));
        QVERIFY(window().song().undo());
        QVERIFY(engineDocument().master_inserts.empty());
    }

    void another_clients_send_and_bus_levels_show_on_the_strips() {
        // The probe is another client: what it sets is pushed to the GUI (an edit subscriber).
        auto reply = session_->probe().call(OscOut("/track/send").h(1).h(std::int64_t(bus_)).d(1.5).bytes(),
                                            "/track/send");
        QVERIFY(reply && reply->address == "/reply");
        QVERIFY(QTest::qWaitFor([&] { return strip(1)->sends().levelSlider(bus_)->level() == 1.5; }, 5000));
        QCOMPARE(window().song().document().tracks[0].sends[0].level, 1.5);
        reply =
            session_->probe().call(OscOut("/bus/level").h(std::int64_t(bus_)).d(0.3).bytes(), "/bus/level");
        QVERIFY(reply && reply->address == "/reply");
        QVERIFY(QTest::qWaitFor([&] { return buses().strip(bus_)->levelSlider()->level() == 0.3; }, 5000));
        QCOMPARE(window().song().busMixer(bus_).level, 0.3);
    }

    void removing_a_bus_removes_the_sends_to_it_and_undo_brings_them_back() {
        QVERIFY(strip(2)->sends().addSend(bus_));
        Document before = engineDocument();
        QCOMPARE(before.tracks[0].sends.size(), std::size_t(1));
        QCOMPARE(before.tracks[1].sends.size(), std::size_t(1));
        buses().strip(bus_)->findChild<QToolButton*>("removeBus")->click();
        QVERIFY(QTest::qWaitFor([&] { return window().song().undoText() == "Remove bus"; }, 2000));
        Document doc = engineDocument();
        QVERIFY(doc.buses.empty());
        QVERIFY(doc.tracks[0].sends.empty());
        QVERIFY(doc.tracks[1].sends.empty());
        QCOMPARE(doc.revision, before.revision + 1);  // one batch
        QVERIFY(QTest::qWaitFor([&] { return buses().strips().empty() && strip(1)->sends().count() == 0; },
                                2000));

        QVERIFY(window().song().undo());
        doc = engineDocument();
        QCOMPARE(doc.buses, before.buses);
        QCOMPARE(doc.tracks[0].sends, before.tracks[0].sends);
        QCOMPARE(doc.tracks[1].sends, before.tracks[1].sends);
        QCOMPARE(comparable(window().song().document()), comparable(doc));
        QVERIFY(QTest::qWaitFor([&] { return buses().strip(bus_) && strip(2)->sends().count() == 1; }, 2000));
    }
};

QTEST_MAIN(BusesAndSends)
#include "buses_and_sends.test.moc"
