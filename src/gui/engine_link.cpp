#include "gui/engine_link.h"

#include <QHostAddress>
#include <QNetworkDatagram>
#include <QTcpSocket>
#include <QUdpSocket>

#include "server/osc_out.h"
#include "server/osc_packet.h"

namespace tactus::gui {

namespace {
// The protocol's TCP frame limit (docs/protocol.md, "Connecting").
constexpr quint32 kMaxFrame = 16u * 1024 * 1024;
}  // namespace

EngineLink::EngineLink(QObject* parent)
    : QObject(parent), tcp_(new QTcpSocket(this)), udp_(new QUdpSocket(this)) {
    connect(tcp_, &QTcpSocket::connected, this, [this] {
        tcp_->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        emit connected();
    });
    connect(tcp_, &QTcpSocket::disconnected, this, [this] { emit disconnected(tr("connection closed")); });
    connect(tcp_, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError) emit disconnected(tcp_->errorString());
    });
    connect(tcp_, &QTcpSocket::readyRead, this, &EngineLink::readTcp);
    connect(udp_, &QUdpSocket::readyRead, this, &EngineLink::readUdp);
}

EngineLink::~EngineLink() = default;

void EngineLink::connectTo(const QString& host, quint16 port) {
    host_ = host;
    port_ = port;
    inbox_.clear();
    tcp_->abort();
    tcp_->connectToHost(host, port);
    if (udp_->state() != QAbstractSocket::BoundState) udp_->bind(QHostAddress(QHostAddress::LocalHost), 0);
}

void EngineLink::disconnectFromEngine() {
    tcp_->abort();
    inbox_.clear();
}

void EngineLink::flush(int timeout_ms) {
    if (isConnected()) tcp_->waitForBytesWritten(timeout_ms);
}

bool EngineLink::isConnected() const {
    return tcp_->state() == QAbstractSocket::ConnectedState;
}

void EngineLink::send(const std::vector<std::uint8_t>& packet) {
    if (!isConnected() || packet.empty()) return;
    const auto n = static_cast<quint32>(packet.size());
    const char size[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
    tcp_->write(size, 4);
    tcp_->write(reinterpret_cast<const char*>(packet.data()), static_cast<qint64>(packet.size()));
}

void EngineLink::subscribePositions(double rate_hz) {
    const auto bytes = OscOut("/subscribe").d(rate_hz).bytes();
    udp_->writeDatagram(reinterpret_cast<const char*>(bytes.data()), static_cast<qint64>(bytes.size()),
                        QHostAddress(host_), port_);
}

void EngineLink::readTcp() {
    inbox_.append(tcp_->readAll());
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
