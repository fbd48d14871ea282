// Builds an outgoing OSC message with liblo and hands back its bytes for a non-blocking send.
// Control and report threads only (liblo allocates).
#pragma once

#include <lo/lo.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tactus {

class OscOut {
public:
    explicit OscOut(std::string address) : address_(std::move(address)), message_(lo_message_new()) {}
    ~OscOut() { lo_message_free(message_); }
    OscOut(const OscOut&) = delete;
    OscOut& operator=(const OscOut&) = delete;

    OscOut& i(std::int32_t v) { return lo_message_add_int32(message_, v), *this; }
    OscOut& h(std::int64_t v) { return lo_message_add_int64(message_, v), *this; }
    OscOut& f(float v) { return lo_message_add_float(message_, v), *this; }
    OscOut& d(double v) { return lo_message_add_double(message_, v), *this; }
    // Strings are capped: liblo 0.31's lo_message_add_string overflows its own buffer on very long
    // strings (seen with a 256 KiB client address echoed in an /error), and no reply needs more.
    static constexpr std::size_t kMaxString = 4 * 1024;
    OscOut& s(const std::string& v) {
        if (v.size() <= kMaxString) return lo_message_add_string(message_, v.c_str()), *this;
        const std::string cut = v.substr(0, kMaxString) + "...";
        return lo_message_add_string(message_, cut.c_str()), *this;
    }

    std::vector<std::uint8_t> bytes() const {
        std::size_t size = 0;
        void* data = lo_message_serialise(message_, address_.c_str(), nullptr, &size);
        std::vector<std::uint8_t> out(static_cast<std::uint8_t*>(data),
                                      static_cast<std::uint8_t*>(data) + size);
        free(data);
        return out;
    }

private:
    std::string address_;
    lo_message message_;
};

// A bundle of already serialised messages, executed at `timetag` (NTP; 1: at once).
inline std::vector<std::uint8_t> osc_bundle(const std::vector<std::vector<std::uint8_t>>& elements,
                                            std::uint64_t timetag = 1) {
    std::vector<std::uint8_t> out = {'#', 'b', 'u', 'n', 'd', 'l', 'e', 0};
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(std::uint8_t(timetag >> shift));
    for (const auto& e : elements) {
        const auto n = static_cast<std::uint32_t>(e.size());
        out.insert(out.end(),
                   {std::uint8_t(n >> 24), std::uint8_t(n >> 16), std::uint8_t(n >> 8), std::uint8_t(n)});
        out.insert(out.end(), e.begin(), e.end());
    }
    return out;
}

namespace detail {
inline void append_osc_string(std::vector<std::uint8_t>& out, const std::string& str) {
    out.insert(out.end(), str.begin(), str.end());
    out.resize(out.size() + 4 - str.size() % 4, 0);  // at least one NUL, to a multiple of 4
}
inline void append_osc_int64(std::vector<std::uint8_t>& out, std::int64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(std::uint8_t(std::uint64_t(value) >> shift));
}
}  // namespace detail

// A message `address ,hs` with a string of any length (OscOut caps strings; a whole document
// does not fit that cap).
inline std::vector<std::uint8_t> osc_int64_and_long_string(const std::string& address, std::int64_t value,
                                                           const std::string& text) {
    std::vector<std::uint8_t> out;
    detail::append_osc_string(out, address);
    detail::append_osc_string(out, ",hs");
    detail::append_osc_int64(out, value);
    detail::append_osc_string(out, text);
    return out;
}

// `address ,sh`: a string of any length, then an int64 (/load/json's document and revision).
inline std::vector<std::uint8_t> osc_long_string_and_int64(const std::string& address,
                                                           const std::string& text, std::int64_t value) {
    std::vector<std::uint8_t> out;
    detail::append_osc_string(out, address);
    detail::append_osc_string(out, ",sh");
    detail::append_osc_string(out, text);
    detail::append_osc_int64(out, value);
    return out;
}

}  // namespace tactus
