// When an LV2 plugin crashes tactusd (plugins run in the engine's process, as in Ardour), say which one,
// so that whoever restarts the engine (the GUI's supervisor) can restart it with that plugin bypassed
// (tactusd --bypass-plugin URI; engine/lv2/refused_plugins.h). docs/plugins.md, "When a plugin crashes".
//
// install_crash_handlers() installs, for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT, a handler that
// runs on the crashing thread and uses async-signal-safe calls only: when that thread was in a plugin's
// code (engine/lv2/running_plugin.h) it writes "tactusd: crashed in LV2 plugin <URI> (SIGSEGV)" to
// stderr and the URI, one line, to the crash report file (opened, emptied, at install); otherwise
// "tactusd: crashed (SIGSEGV, not in a plugin)" and nothing to the report. A signal another process
// sent (kill -SEGV) blames nobody. Then it asks the audio thread for All Notes Off on the MIDI output
// (as before), waits 50 ms and dies by the same signal (SA_RESETHAND), so the exit status shows it.
//
// Threading: install from the main thread at startup, before any plugin is made (the main thread gets
// an alternate signal stack; other threads run the handler on their own stack).
#pragma once

#include <string>
#include <vector>

namespace tactus {

// `report_path` empty: stderr only. False with *error when the report file cannot be created.
bool install_crash_handlers(const std::string& report_path, std::string* error);

}  // namespace tactus
