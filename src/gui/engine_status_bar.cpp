#include "gui/engine_status_bar.h"

#include <QLabel>
#include <QStatusBar>

namespace tactus::gui {

bool decodeStatus(const OscMessage& m, EngineStatus& out) {
    if (m.address != "/status" || m.args.size() < 21) return false;
    out.rate = int(m.args[0].i);
    out.period = int(m.args[1].i);
    out.xruns = m.args[8].i;
    out.dsp_load = m.args[14].f;
    out.dsp_peak = m.args[15].f;
    out.revision = std::uint64_t(m.args[18].i);
    out.realtime = m.args[19].i != 0;
    out.backend = QString::fromStdString(m.args[20].s);
    return true;
}

EngineStatusBar::EngineStatusBar(QStatusBar& bar)
    : QObject(&bar),
      connection_(new QLabel(&bar)),
      audio_(new QLabel(&bar)),
      load_(new QLabel(&bar)),
      xruns_(new QLabel(&bar)) {
    for (QLabel* l : {connection_, audio_, load_, xruns_}) bar.addPermanentWidget(l);
    setConnected(false, tr("starting"));
}

void EngineStatusBar::setConnected(bool connected, const QString& detail) {
    connection_->setText(connected ? tr("Engine: connected") : tr("Engine: %1").arg(detail));
    connection_->setStyleSheet(connected ? QString() : QStringLiteral("color: #e05040; font-weight: bold"));
    if (!connected) {
        audio_->clear();
        load_->clear();
        xruns_->clear();
    }
}

QString EngineStatusBar::connectionText() const {
    return connection_->text();
}

void EngineStatusBar::show(const EngineStatus& s) {
    last_ = s;
    audio_->setText(tr("%1 · %2 Hz · %3 frames%4")
                        .arg(s.backend)
                        .arg(s.rate)
                        .arg(s.period)
                        .arg(s.realtime ? tr(" · realtime") : QString()));
    load_->setText(
        tr("DSP %1% (peak %2%)").arg(s.dsp_load * 100, 0, 'f', 1).arg(s.dsp_peak * 100, 0, 'f', 1));
    xruns_->setText(tr("xruns %1").arg(s.xruns));
}

}  // namespace tactus::gui
