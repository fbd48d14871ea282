#include "core/realtime_scope.h"

namespace tactus::realtime_detail {
thread_local constinit int scope_depth = 0;
thread_local constinit int private_lock_depth = 0;
}  // namespace tactus::realtime_detail
