#include "gui/engine_link.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QHostAddress>
#include <QLocalSocket>
#include <QNetworkDatagram>
#include <QUdpSocket>
#include <string>

#include "core/private_dir.h"
#include "server/osc_out.h"
#include "server/osc_packet.h"

namespace tactus::gui {

namespace {
// The protocol's limit for a reply frame (docs/protocol.md, "Connecting"): a whole /document may be
// larger than the 16 MiB a request may take.
constexpr quint32 kMaxFrame = quint32(kMaxReplyFrame);
// A connection the engine neither accepts nor refuses in this time is given up (and retried by the
// supervisor): a full listen backlog makes QLocalSocket wait.
constexpr int kConnectTimeoutMs = 2000;
}  // namespace

EngineLink::EngineLink(QObject* parent)
    : QObject(parent), stream_(new QLocalSocket(this)), udp_(new QUdpSocket(this)) {
    connect_timeout_.setSingleShot(true);
    connect(&connect_timeout_, &QTimer::timeout, this, [this] {
        if (stream_->state() == QLocalSocket::ConnectedState) return;
        stream_->abort();
        emit disconnected(tr("the engine did not accept the connection"));
    });
    connect(stream_, &QLocalSocket::connected, this, [this] {
        connect_timeout_.stop();
        emit connected();
    });
    connect(stream_, &QLocalSocket::disconnected, this,
            [this] { emit disconnected(tr("connection closed")); });
    connect(stream_, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError error) {
        connect_timeout_.stop();
        if (error != QLocalSocket::PeerClosedError) emit disconnected(stream_->errorString());
    });
    connect(stream_, &QLocalSocket::readyRead, this, &EngineLink::readStream);
    connect(udp_, &QUdpSocket::readyRead, this, &EngineLink::readUdp);
}

EngineLink::~EngineLink() = default;

void EngineLink::connectTo(const QString& host, quint16 port) {
    host_ = host;
    port_ = port;
    inbox_.clear();
    connect_timeout_.stop();
    stream_->abort();
    if (udp_->state() != QAbstractSocket::BoundState) udp_->bind(QHostAddress(QHostAddress::LocalHost), 0);
    // Started from the event loop, so that what follows never re-enters the caller (as with TCP).
    const std::uint64_t attempt = ++attempt_;
    QTimer::singleShot(0, this, [this, attempt] {
        if (attempt == attempt_) startConnecting();
    });
}

void EngineLink::startConnecting() {
    std::string error;
    const auto path = engine_socket_path(port_, &error);
    if (!path) {
        emit disconnected(tr("no engine socket: %1").arg(QString::fromStdString(error)));
        return;
    }
    const QString socket = QString::fromStdString(*path);
    // Not there (yet): the engine creates it just before it serves, so the supervisor asks again.
    if (!QFileInfo::exists(socket)) {
        emit disconnected(tr("no engine socket at %1").arg(socket));
        return;
    }
    connect_timeout_.start(kConnectTimeoutMs);
    stream_->connectToServer(socket);
}

void EngineLink::disconnectFromEngine() {
    ++attempt_;
    connect_timeout_.stop();
    stream_->abort();
    inbox_.clear();
}

void EngineLink::flush(int timeout_ms) {
    // waitForBytesWritten returns once some bytes went, not all: a large document ahead of /quit
    // left /quit in the buffer, and the engine never saw it.
    QElapsedTimer timer;
    timer.start();
    while (isConnected() && stream_->bytesToWrite() > 0) {
        const qint64 left = timeout_ms - timer.elapsed();
        if (left <= 0 || !stream_->waitForBytesWritten(int(left))) break;
    }
}

bool EngineLink::isConnected() const {
    return stream_->state() == QLocalSocket::ConnectedState;
}

QString EngineLink::connectedSocket() const {
    return isConnected() ? stream_->fullServerName() : QString();
}

void EngineLink::send(const std::vector<std::uint8_t>& packet) {
    if (!isConnected() || packet.empty()) return;
    const auto n = static_cast<quint32>(packet.size());
    const char size[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
    stream_->write(size, 4);
    stream_->write(reinterpret_cast<const char*>(packet.data()), static_cast<qint64>(packet.size()));
}

void EngineLink::subscribePositions(double rate_hz) {
    // Asked over the private socket, naming the UDP socket's loopback port: an owner's request, so it
    // holds even where the engine trusts no loopback client (--trust-host, docs/security.md).
    send(OscOut("/subscribe")
             .d(rate_hz)
             .s("127.0.0.1")
             .i(static_cast<std::int32_t>(udp_->localPort()))
             .bytes());
}

void EngineLink::readStream() {
    inbox_.append(stream_->readAll());
    qsizetype at = 0;
    while (inbox_.size() - at >= 4) {
        const auto* p = reinterpret_cast<const unsigned char*>(inbox_.constData() + at);
        const quint32 n = quint32(p[0]) << 24 | quint32(p[1]) << 16 | quint32(p[2]) << 8 | quint32(p[3]);
        if (n > kMaxFrame) {
            disconnectFromEngine();
            emit disconnected(tr("the engine sent a frame of %1 bytes").arg(n));
            return;
        }
        if (inbox_.size() - at - 4 < qsizetype(n)) break;
        OscPacket packet;
        if (parse_osc_packet(p + 4, n, packet, nullptr)) {
            ++packets_received_;
            emit packetReceived(packet);
        }
        at += 4 + qsizetype(n);
    }
    inbox_.remove(0, at);
}

void EngineLink::readUdp() {
    PositionReport latest;
    bool have = false;
    while (udp_->hasPendingDatagrams()) {
        const QNetworkDatagram datagram = udp_->receiveDatagram();
        const QByteArray data = datagram.data();
        OscPacket packet;
        if (!parse_osc_packet(reinterpret_cast<const std::uint8_t*>(data.constData()),
                              static_cast<std::size_t>(data.size()), packet, nullptr))
            continue;
        for (const OscMessage& m : packet.messages)
            if (decodePosition(m, latest)) have = true;
    }
    if (have) emit positionReceived(latest);
}

bool decodePosition(const OscMessage& m, PositionReport& out) {
    if (m.address != "/position" || m.types.size() < 9 || m.types.compare(0, 9, "hhdiddiff") != 0)
        return false;
    out.frame = m.args[0].i;
    out.heard_at_ns = m.args[1].i;
    out.beat = m.args[2].f;
    out.bar = static_cast<int>(m.args[3].i);
    out.beat_in_bar = m.args[4].f;
    out.bpm = m.args[5].f;
    out.playing = m.args[6].i != 0;
    out.peak_left = static_cast<float>(m.args[7].f);
    out.peak_right = static_cast<float>(m.args[8].f);
    out.track_peaks.clear();
    for (std::size_t i = 9; i < m.args.size(); ++i)
        out.track_peaks.push_back(static_cast<float>(m.args[i].f));
    return true;
}

}  // namespace tactus::gui
