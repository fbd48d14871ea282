// JSON Pointer (RFC 6901) paths for error messages: "/tracks/2/notes/5/length".
// Plain string helpers; no allocation beyond the returned string.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tactus {

// `parent` followed by the member `key`, escaping '~' as "~0" and '/' as "~1".
inline std::string json_path_append(std::string_view parent, std::string_view key) {
    std::string path;
    path.reserve(parent.size() + key.size() + 1);
    path.append(parent);
    path.push_back('/');
    for (char c : key) {
        if (c == '~') {
            path.append("~0");
        } else if (c == '/') {
            path.append("~1");
        } else {
            path.push_back(c);
        }
    }
    return path;
}

// `parent` followed by the array element `index`.
inline std::string json_path_append(std::string_view parent, std::size_t index) {
    std::string path(parent);
    path.push_back('/');
    path.append(std::to_string(index));
    return path;
}

}  // namespace tactus
