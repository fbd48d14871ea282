// Plugins this process does not make (tactusd --bypass-plugin: the GUI's recovery names the plugin
// that crashed the engine). lv2::Plugin::create refuses them with "LV2 plugin <URI> (Name) was
// bypassed: <why>", so the usual paths for a plugin that cannot be made do the rest: an insert passes
// its input through, an lv2 instrument track plays silent, each with its warning.
//
// Threading: any thread, off the audio thread (a mutex); refuse() before the plugins are made.
#pragma once

#include <string>
#include <vector>

namespace tactus::lv2 {

// The reason given for a plugin that crashed the engine.
inline constexpr const char* kCrashedLastTime = "it crashed the engine last time";

// From now on `uri` is not made; `why` ends the message ("it crashed the engine last time").
void refuse_plugin(const std::string& uri, const std::string& why = kCrashedLastTime);
// Why `uri` is refused, or "" when it is not.
std::string refused_reason(const std::string& uri);
// Every refused URI, in the order refused.
std::vector<std::string> refused_plugins();

}  // namespace tactus::lv2
