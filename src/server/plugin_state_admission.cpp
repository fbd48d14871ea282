#include "server/plugin_state_admission.h"

#include <cctype>

namespace tactus {

namespace {

std::string percent_decoded(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

bool has_scheme(const std::string& iri) {
    const auto colon = iri.find(':');
    if (colon == std::string::npos || colon == 0) return false;
    for (std::size_t i = 0; i < colon; ++i)
        if (!std::isalnum(static_cast<unsigned char>(iri[i])) && iri[i] != '+' && iri[i] != '-' &&
            iri[i] != '.')
            return false;
    return true;
}

std::string check(const std::string& state, const std::string& at, const PathPolicy& policy) {
    for (const std::string& file : files_named_in_state(state)) {
        if (file.empty() || file[0] != '/')
            return at + "/state: names the file '" + file +
                   "' by a relative reference: a plugin state from this client must name its files by "
                   "absolute path";
        const ResolvedPath admitted = policy.for_reading(file, true);
        if (!admitted.ok()) return at + "/state: " + admitted.error;
    }
    return {};
}

}  // namespace

std::vector<std::string> files_named_in_state(const std::string& state) {
    std::vector<std::string> files;
    // IRIs: <...>. A file: one names a file; one without a scheme is relative to the state's base.
    for (std::size_t open = state.find('<'); open != std::string::npos; open = state.find('<', open + 1)) {
        const std::size_t close = state.find('>', open + 1);
        if (close == std::string::npos) break;
        const std::string iri = state.substr(open + 1, close - open - 1);
        if (iri.rfind("file:", 0) == 0) {
            std::string path = iri.substr(5);
            if (path.rfind("//", 0) == 0)
                path = path.substr(path.find('/', 2) == std::string::npos ? 2 : path.find('/', 2));
            files.push_back(percent_decoded(path));
        } else if (!has_scheme(iri)) {
            files.push_back(iri);
        }
        open = close;
    }
    // Literals typed as paths: "..."^^atom:Path or "..."^^<http://lv2plug.in/ns/ext/atom#Path>.
    for (const std::string type : {"^^atom:Path", "^^<http://lv2plug.in/ns/ext/atom#Path>"}) {
        for (std::size_t at = state.find(type); at != std::string::npos; at = state.find(type, at + 1)) {
            if (at == 0 || state[at - 1] != '"') continue;
            const std::size_t start = state.rfind('"', at - 2);
            if (start == std::string::npos) continue;
            files.push_back(state.substr(start + 1, at - 2 - start));
        }
    }
    return files;
}

std::string admit_plugin_states(const Document& doc, const PathPolicy& policy, bool confined) {
    if (!confined) return {};
    // `path`: the JSON path of the list ("/tracks/0/inserts").
    const auto inserts = [&](const std::vector<Insert>& list, const std::string& path) -> std::string {
        for (std::size_t j = 0; j < list.size(); ++j)
            if (auto refused = check(list[j].state, path + "/" + std::to_string(j), policy); !refused.empty())
                return refused;
        return {};
    };
    for (std::size_t i = 0; i < doc.tracks.size(); ++i) {
        const std::string base = "/tracks/" + std::to_string(i);
        if (auto refused = check(doc.tracks[i].plugin_state, base + "/plugin", policy); !refused.empty())
            return refused.replace(refused.find("/plugin/state"), 13, "/plugin_state");
        if (auto refused = inserts(doc.tracks[i].inserts, base + "/inserts"); !refused.empty())
            return refused;
    }
    for (std::size_t i = 0; i < doc.buses.size(); ++i)
        if (auto refused = inserts(doc.buses[i].inserts, "/buses/" + std::to_string(i) + "/inserts");
            !refused.empty())
            return refused;
    return inserts(doc.master_inserts, "/master_inserts");
}

}  // namespace tactus
