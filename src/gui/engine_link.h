// The GUI's connection to tactusd (docs/protocol.md): one stream connection for commands, edits,
// replies, pushed edits and the document, and one UDP socket for position reports, which are lossy and
// the lowest priority. Everything is non-blocking and runs in the Qt event loop: the UI thread never
// waits on the engine, and the engine never waits on the GUI (it drops what a slow client does not read).
//
// The stream is the engine's private Unix-domain socket for its OSC port (core/private_dir.h:
// engine_socket_path, user-only), framed as OSC over TCP. A client on it is the engine's owner: it may
// load and save any file the user can, where loopback UDP/TCP clients are held to the engine's
// --allow-dir directories. So the GUI only ever drives an engine of its own user on this machine.
//
// Threading: the thread that owns it (the UI thread).
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>
#include <cstdint>
#include <vector>

#include "server/osc_message.h"

class QLocalSocket;
class QUdpSocket;

namespace tactus::gui {

// One /position report.
struct PositionReport {
    std::int64_t frame = 0;
    std::int64_t heard_at_ns = 0;  // CLOCK_MONOTONIC ns at which `frame` is heard
    double beat = 0.0;
    int bar = 1;
    double beat_in_bar = 1.0;
    double bpm = 120.0;
    bool playing = false;
    float peak_left = 0.0f;
    float peak_right = 0.0f;
    std::vector<float> track_peaks;  // in the document's track order
};

class EngineLink : public QObject {
    Q_OBJECT
public:
    explicit EngineLink(QObject* parent = nullptr);
    ~EngineLink() override;

    // Connects (or reconnects) to the engine whose OSC port is `port`: the stream over its socket, the
    // position reports from UDP `host`:`port`. connected() or disconnected() follows, always from the
    // event loop (never inside this call); disconnected() at once when the engine's socket is not there.
    void connectTo(const QString& host, quint16 port);
    void disconnectFromEngine();
    // Waits up to `timeout_ms` for what was sent to leave (before quitting; the only blocking call).
    void flush(int timeout_ms);
    bool isConnected() const;
    QString host() const { return host_; }
    quint16 port() const { return port_; }
    // The engine's socket this link is connected to; "" when not connected.
    QString connectedSocket() const;

    // Sends a packet (a message or a bundle) over the stream. Dropped when not connected.
    void send(const std::vector<std::uint8_t>& packet);
    // Asks for position reports at `rate_hz` on the UDP socket.
    void subscribePositions(double rate_hz);

    // Packets received since connecting.
    std::uint64_t packetsReceived() const { return packets_received_; }

signals:
    void connected();
    void disconnected(const QString& why);
    // Every packet that arrives over the stream: replies, errors, pushed edit batches, /document, /status.
    void packetReceived(const tactus::OscPacket& packet);
    // The newest position report; older ones that arrived in the same read are skipped.
    void positionReceived(const tactus::gui::PositionReport& report);

private:
    void startConnecting();
    void readStream();
    void readUdp();

    QLocalSocket* stream_ = nullptr;
    QUdpSocket* udp_ = nullptr;
    QTimer connect_timeout_;
    std::uint64_t attempt_ = 0;  // a connectTo() or disconnect newer than a queued start cancels it
    QString host_;
    quint16 port_ = 0;
    QByteArray inbox_;
    std::uint64_t packets_received_ = 0;
};

// Decodes a /position message; false when it is not one.
bool decodePosition(const tactus::OscMessage& message, PositionReport& out);

}  // namespace tactus::gui
