// Which LV2 plugin the calling thread is in: every call of ours into a plugin's code (instantiate,
// activate, connect_port, run, the worker's work/work_response/end_run, state save/restore,
// deactivate, cleanup) is made inside an InPlugin naming it, so that a crash handler running on the
// crashing thread can say which plugin crashed the process (server/crash_blame.h).
//
// Realtime-safe: an InPlugin is two stores to a thread_local pointer, no allocation, no lock, no
// system call. running_plugin() is async-signal-safe on the thread it describes (the variable is
// constant-initialised, so reading it needs no TLS initialisation call). The URI it points to is the
// plugin's own (lv2::Plugin::info().uri), alive while the call runs.
#pragma once

#include <atomic>

namespace tactus::lv2 {

namespace running_detail {
// The URI of the plugin whose code this thread runs, or nullptr outside plugin code.
extern thread_local constinit const char* uri;
}  // namespace running_detail

// The URI of the plugin this thread is in, or nullptr.
inline const char* running_plugin() {
    return running_detail::uri;
}

// Marks the thread as in `uri`'s code for its lifetime (nests: restores what was marked before).
class InPlugin {
public:
    explicit InPlugin(const char* uri) : previous_(running_detail::uri) {
        running_detail::uri = uri;
        // Keep the store ordered before the call into the plugin (a signal handler on this thread reads it).
        std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    ~InPlugin() {
        std::atomic_signal_fence(std::memory_order_seq_cst);
        running_detail::uri = previous_;
    }
    InPlugin(const InPlugin&) = delete;
    InPlugin& operator=(const InPlugin&) = delete;

private:
    const char* previous_;
};

}  // namespace tactus::lv2
