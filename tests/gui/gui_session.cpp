#include "gui_session.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include "core/document_editor.h"
#include "core/document_json.h"
#include "gui/song_model.h"
#include "server/osc_out.h"
#include "server/osc_packet.h"

namespace tactus::test {

quint16 freePort() {
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

EngineProbe::EngineProbe(quint16 port) : port_(port) {}
EngineProbe::~EngineProbe() = default;

bool EngineProbe::connect(int timeout_ms) {
    if (socket_ && socket_->state() == QAbstractSocket::ConnectedState) return true;
    socket_ = std::make_unique<QTcpSocket>();
    inbox_.clear();
    socket_->connectToHost(QHostAddress::LocalHost, port_);
    return socket_->waitForConnected(timeout_ms);
}

std::optional<OscPacket> EngineProbe::receive(int timeout_ms) {
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        if (inbox_.size() >= 4) {
            const auto* p = reinterpret_cast<const unsigned char*>(inbox_.constData());
            const quint32 n = quint32(p[0]) << 24 | quint32(p[1]) << 16 | quint32(p[2]) << 8 | quint32(p[3]);
            if (inbox_.size() >= qsizetype(4 + n)) {
                OscPacket packet;
                const bool ok = parse_osc_packet(p + 4, n, packet, nullptr);
                inbox_.remove(0, 4 + qsizetype(n));
                if (ok) return packet;
                continue;
            }
        }
        const int left = timeout_ms - int(timer.elapsed());
        if (left <= 0 || !socket_->waitForReadyRead(left)) return std::nullopt;
        inbox_.append(socket_->readAll());
    }
}

std::optional<OscMessage> EngineProbe::call(const std::vector<std::uint8_t>& packet,
                                            const std::string& address, int timeout_ms) {
    if (!connect(timeout_ms)) return std::nullopt;
    const auto n = quint32(packet.size());
    const char size[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
    socket_->write(size, 4);
    socket_->write(reinterpret_cast<const char*>(packet.data()), qint64(packet.size()));
    socket_->flush();
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeout_ms) {
        auto received = receive(timeout_ms - int(timer.elapsed()));
        if (!received) return std::nullopt;
        for (const OscMessage& m : received->messages) {
            if (m.address == address) return m;
            if ((m.address == "/reply" || m.address == "/error") && !m.args.empty() && m.args[0].s == address)
                return m;
        }
    }
    return std::nullopt;
}

std::optional<Document> EngineProbe::document(int timeout_ms) {
    auto reply = call(OscOut("/document").bytes(), "/document", timeout_ms);
    if (!reply || reply->address != "/document" || reply->types != "hs") return std::nullopt;
    LoadResult loaded = parse_document(reply->args[1].s, "engine");
    if (!loaded.document) return std::nullopt;
    loaded.document->revision = std::uint64_t(reply->args[0].i);
    return loaded.document;
}

GuiSession::GuiSession(GuiSessionOptions options) {
    JackServerOptions jack_options;
    jack_options.period = options.period;
    jack_ = std::make_unique<JackServer>(jack_options);
    if (!jack_->running()) {
        error_ = QString::fromStdString("JACK server did not start: " + jack_->error());
        return;
    }
    port_ = freePort();
    gui::AppOptions app;
    app.engine.program = TACTUS_DAEMON_PATH;
    app.engine.audio = "jack";
    app.engine.jackServer = QString::fromStdString(jack_->name());
    app.engine.device = "none";  // no connections to system ports needed
    app.engine.port = port_;
    app.document = options.document;
    app.recoveryFolder = options.recoveryFolder.isEmpty() ? recovery_.path() : options.recoveryFolder;
    app.autosaveSeconds = options.autosaveSeconds;
    app.recovery = options.recovery;
    app.useSettings = false;
    window_ = std::make_unique<gui::MainWindow>(app);
    QObject::connect(window_.get(), &gui::MainWindow::engineSynced, [this] { synced_ = true; });
    probe_ = std::make_unique<EngineProbe>(port_);
}

GuiSession::~GuiSession() {
    probe_.reset();
    window_.reset();  // quits its engine
    if (jack_) jack_->stop();
}

bool GuiSession::waitUntilSynced(int timeout_ms) {
    if (!window_) return false;
    return QTest::qWaitFor([this] { return synced_; }, timeout_ms);
}

bool GuiSession::waitUntilEngineCaughtUp(int timeout_ms) {
    return QTest::qWaitFor([this] { return window_->song().pendingBatches() == 0; }, timeout_ms);
}

std::unique_ptr<GuiSession> GuiSession::showing(const Document& doc, const QString& folder) {
    const QString path = folder + "/song.json";
    std::string error;
    if (!save_document_file(doc, path.toStdString(), &error)) qFatal("%s", error.c_str());
    GuiSessionOptions options;
    options.document = path;
    auto session = std::make_unique<GuiSession>(options);
    if (!session->error_.isEmpty()) return session;
    session->window().show();
    if (!QTest::qWaitForWindowExposed(&session->window()))
        session->error_ = "the window was never shown";
    else if (!session->waitUntilSynced())
        session->error_ = "the GUI's engine never took the document";
    return session;
}

Document GuiSession::engineDocument() {
    if (!waitUntilEngineCaughtUp()) qFatal("the engine did not answer the GUI's edits");
    auto doc = probe_->document();
    if (!doc) qFatal("the engine did not send its document");
    return *doc;
}

std::pair<double, bool> GuiSession::engineBeat() {
    auto status = probe_->call(OscOut("/status").bytes(), "/status");
    if (!status || status->args.size() < 5) qFatal("the engine did not answer /status");
    return {status->args[4].f, status->args[3].i != 0};
}

Document comparable(Document doc) {
    doc = canonical_document(std::move(doc));
    doc.revision = 0;
    return doc;
}

const Note& noteIn(const Document& doc, NoteId id) {
    for (const Track& t : doc.tracks)
        for (const Note& n : t.notes)
            if (n.id == id) return n;
    qFatal("the engine has no note %llu", static_cast<unsigned long long>(id));
}

}  // namespace tactus::test
