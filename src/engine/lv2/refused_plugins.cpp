#include "engine/lv2/refused_plugins.h"

#include <algorithm>
#include <mutex>
#include <utility>

namespace tactus::lv2 {

namespace {

struct Refused {
    std::mutex mutex;
    std::vector<std::pair<std::string, std::string>> list;  // URI, why
};

Refused& refused() {
    static Refused r;
    return r;
}

}  // namespace

void refuse_plugin(const std::string& uri, const std::string& why) {
    Refused& r = refused();
    std::lock_guard guard(r.mutex);
    const auto it = std::find_if(r.list.begin(), r.list.end(), [&](const auto& e) { return e.first == uri; });
    if (it == r.list.end())
        r.list.emplace_back(uri, why);
    else
        it->second = why;
}

std::string refused_reason(const std::string& uri) {
    Refused& r = refused();
    std::lock_guard guard(r.mutex);
    for (const auto& [refused_uri, why] : r.list)
        if (refused_uri == uri) return why;
    return {};
}

std::vector<std::string> refused_plugins() {
    Refused& r = refused();
    std::lock_guard guard(r.mutex);
    std::vector<std::string> uris;
    for (const auto& entry : r.list) uris.push_back(entry.first);
    return uris;
}

}  // namespace tactus::lv2
