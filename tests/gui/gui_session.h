// A GUI under test against a real engine: a private JACK dummy server, the Tactus main window that
// starts its own tactusd on a free port (through EngineSupervisor, exactly as a user's does), and an
// EngineProbe: a second, blocking client that asks the engine for its document, so tests check what
// the engine holds, not what the GUI believes.
#pragma once

#include <QString>
#include <QTemporaryDir>
#include <memory>
#include <optional>
#include <utility>

#include "core/score.h"
#include "gui/main_window.h"
#include "gui/roll_state.h"
#include "support/jack_server.h"

class QTcpSocket;

namespace tactus::test {

// A free TCP port on 127.0.0.1 (asked of the kernel, then released).
quint16 freePort();

class EngineProbe {
public:
    explicit EngineProbe(quint16 port);
    ~EngineProbe();
    // The engine's document and revision (/document over TCP); nullopt after `timeout_ms`.
    std::optional<Document> document(int timeout_ms = 5000);
    // Sends a packet (message or bundle bytes) and waits for the reply or error naming `address`.
    std::optional<OscMessage> call(const std::vector<std::uint8_t>& packet, const std::string& address,
                                   int timeout_ms = 5000);

private:
    bool connect(int timeout_ms);
    std::optional<OscPacket> receive(int timeout_ms);
    quint16 port_;
    std::unique_ptr<QTcpSocket> socket_;
    QByteArray inbox_;
};

struct GuiSessionOptions {
    QString document;  // opened at start
    int period = 128;
    int autosaveSeconds = 0;
    QString recoveryFolder;  // "" = a temporary folder of the session's own
    gui::AppOptions::Recovery recovery = gui::AppOptions::Recovery::Decline;
};

class GuiSession {
public:
    explicit GuiSession(GuiSessionOptions options = {});
    ~GuiSession();

    // A session on `doc` (written to `folder`/song.json), its window shown and its engine holding the
    // document; error() says why not.
    static std::unique_ptr<GuiSession> showing(const Document& doc, const QString& folder);
    // The engine's document once it has answered every batch the GUI sent; aborts the test program
    // when the engine does not answer (nothing after that could be trusted).
    Document engineDocument();
    // The engine's beat and whether it plays, from /status; aborts the test program without an answer.
    std::pair<double, bool> engineBeat();

    // Whether the JACK server runs and the window's engine took the document within `timeout_ms`.
    bool waitUntilSynced(int timeout_ms = 15000);
    // Waits until the engine has answered every batch the GUI sent.
    bool waitUntilEngineCaughtUp(int timeout_ms = 5000);
    gui::MainWindow& window() { return *window_; }
    EngineProbe& probe() { return *probe_; }
    JackServer& jack() { return *jack_; }
    quint16 port() const { return port_; }
    QString error() const { return error_; }

private:
    std::unique_ptr<JackServer> jack_;
    QTemporaryDir recovery_;
    quint16 port_ = 0;
    std::unique_ptr<gui::MainWindow> window_;
    std::unique_ptr<EngineProbe> probe_;
    bool synced_ = false;
    QString error_;
};

// The document without what the engine does not keep exactly as the GUI does (notes in canonical
// order; revision compared separately).
Document comparable(Document doc);

// What a Qt Test class driving one session has in common: its folder, the session, and short names
// for what the tests reach. A test class derives from it and adds Q_OBJECT and its slots.
class GuiTestCase : public QObject {
protected:
    QTemporaryDir dir_;
    std::unique_ptr<GuiSession> session_;
    gui::MainWindow& window() { return session_->window(); }
    gui::RollState& state() { return window().rollState(); }
    Document engineDocument() { return session_->engineDocument(); }
};

// Note `id` of `doc`; aborts the test program when there is none (nothing after could be trusted).
const Note& noteIn(const Document& doc, NoteId id);

}  // namespace tactus::test
