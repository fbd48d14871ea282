// A position as musicians read it: bar and beat, both from 1 ("5:1"), with the ticks (960 a beat)
// when it is not on a beat ("5:2:480"). Plain functions: the UI thread.
#pragma once

#include <QString>

#include "core/meter_map.h"

namespace tactus::gui {

QString barBeatText(const MeterMap& meter, double beat);

}  // namespace tactus::gui
