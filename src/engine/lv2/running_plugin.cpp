#include "engine/lv2/running_plugin.h"

namespace tactus::lv2::running_detail {

thread_local constinit const char* uri = nullptr;

}  // namespace tactus::lv2::running_detail
