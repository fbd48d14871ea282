// Reads a message's arguments by position with the protocol's typing rules, so every handler
// validates the same way: numbers accept any of i h f d; integers accept i h (and f/d holding a
// whole number); strings accept s S; booleans accept i h T F. A mismatch throws OscArgError with a
// message naming the argument.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>

#include "server/osc_message.h"

namespace tactus {

struct OscArgError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class OscArgs {
public:
    explicit OscArgs(const OscMessage& message) : m_(message) {}

    std::size_t size() const { return m_.args.size(); }
    bool has(std::size_t index) const { return index < m_.args.size(); }

    double number(std::size_t index, const char* name) const {
        const OscArg& a = at(index, name);
        switch (a.type) {
            case 'i':
            case 'h':
                return static_cast<double>(a.i);
            case 'f':
            case 'd':
                if (!std::isfinite(a.f)) fail(index, name, "must be a finite number");
                return a.f;
            default:
                fail(index, name, "must be a number (i, h, f or d)");
        }
    }
    double number_in(std::size_t index, const char* name, double lo, double hi) const {
        const double v = number(index, name);
        if (v < lo || v > hi)
            fail(index, name, "must be within " + fmt(lo) + ".." + fmt(hi) + " (got " + fmt(v) + ")");
        return v;
    }
    std::int64_t integer(std::size_t index, const char* name) const {
        const OscArg& a = at(index, name);
        if (a.type == 'i' || a.type == 'h') return a.i;
        if ((a.type == 'f' || a.type == 'd') && std::isfinite(a.f) && a.f == std::floor(a.f) &&
            std::abs(a.f) < 9e15)
            return static_cast<std::int64_t>(a.f);
        fail(index, name, "must be an integer (i or h)");
    }
    std::int64_t integer_in(std::size_t index, const char* name, std::int64_t lo, std::int64_t hi) const {
        const std::int64_t v = integer(index, name);
        if (v < lo || v > hi)
            fail(index, name,
                 "must be within " + std::to_string(lo) + ".." + std::to_string(hi) + " (got " +
                     std::to_string(v) + ")");
        return v;
    }
    bool boolean(std::size_t index, const char* name) const {
        const OscArg& a = at(index, name);
        if (a.type == 'T') return true;
        if (a.type == 'F') return false;
        if (a.type == 'i' || a.type == 'h') return a.i != 0;
        fail(index, name, "must be 0/1 or T/F");
    }
    const std::string& string(std::size_t index, const char* name) const {
        const OscArg& a = at(index, name);
        if (a.type != 's' && a.type != 'S') fail(index, name, "must be a string (s)");
        return a.s;
    }
    void expect_at_most(std::size_t count) const {
        if (m_.args.size() > count)
            throw OscArgError("takes at most " + std::to_string(count) + " argument" +
                              (count == 1 ? "" : "s") + " (got " + std::to_string(m_.args.size()) +
                              ", type tags '" + m_.types + "')");
    }

private:
    const OscArg& at(std::size_t index, const char* name) const {
        if (index >= m_.args.size())
            throw OscArgError("argument " + std::to_string(index + 1) + " (" + name + ") is missing");
        return m_.args[index];
    }
    [[noreturn]] static void fail(std::size_t index, const char* name, const std::string& what) {
        throw OscArgError("argument " + std::to_string(index + 1) + " (" + name + ") " + what);
    }
    static std::string fmt(double v) {
        std::string s = std::to_string(v);
        while (s.size() > 1 && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
        return s;
    }

    const OscMessage& m_;
};

}  // namespace tactus
