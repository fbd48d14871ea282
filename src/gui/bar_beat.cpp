#include "gui/bar_beat.h"

#include <cmath>

namespace tactus::gui {

QString barBeatText(const MeterMap& meter, double beat) {
    const BarPosition at = meter.bar_at_beat(beat);
    const int whole = int(std::floor(at.beat_in_bar + 1e-9));
    const int ticks = int(std::lround((at.beat_in_bar - whole) * 960));
    if (ticks == 0 || ticks == 960)
        return QStringLiteral("%1:%2").arg(at.bar + 1).arg(whole + 1 + (ticks == 960 ? 1 : 0));
    return QStringLiteral("%1:%2:%3").arg(at.bar + 1).arg(whole + 1).arg(ticks, 3, 10, QLatin1Char('0'));
}

}  // namespace tactus::gui
