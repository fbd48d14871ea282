// The status bar's engine section: connected or not, audio backend, sample rate, period, DSP load and
// xruns, from /status (polled once a second; the answer arrives whenever it does).
#pragma once

#include <QObject>
#include <QString>
#include <cstdint>

#include "server/osc_message.h"

class QLabel;
class QStatusBar;

namespace tactus::gui {

struct EngineStatus {
    int rate = 0;
    int period = 0;
    std::int64_t xruns = 0;
    double dsp_load = 0.0;
    double dsp_peak = 0.0;
    std::uint64_t revision = 0;
    bool realtime = false;
    QString backend;
};

// Decodes a /status reply (docs/protocol.md, "Information"); false when it is not one.
bool decodeStatus(const OscMessage& message, EngineStatus& out);

class EngineStatusBar : public QObject {
    Q_OBJECT
public:
    explicit EngineStatusBar(QStatusBar& bar);

    void setConnected(bool connected, const QString& detail);
    void show(const EngineStatus& status);
    const EngineStatus& last() const { return last_; }
    QString connectionText() const;

private:
    QLabel* connection_;
    QLabel* audio_;
    QLabel* load_;
    QLabel* xruns_;
    EngineStatus last_;
};

}  // namespace tactus::gui
