#include "server/osc_packet.h"

#include <time.h>

#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

namespace tactus {
namespace {

// A parse problem: what, and where (absolute byte offset in the packet).
struct Problem {
    std::string text;
};

std::string at_byte(std::size_t offset) {
    return " at byte " + std::to_string(offset);
}

std::string describe_tag(char tag) {
    const auto byte = static_cast<unsigned char>(tag);
    if (byte >= 0x20 && byte < 0x7f) return std::string("'") + tag + "'";
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", byte);
    return buf;
}

std::uint32_t read_be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::uint64_t read_be64(const std::uint8_t* p) {
    return (std::uint64_t{read_be32(p)} << 32) | read_be32(p + 4);
}

// The padded length of the OSC string at [offset, end), or a problem naming `what`.
bool osc_string_length(const std::uint8_t* data, std::size_t offset, std::size_t end, const std::string& what,
                       std::size_t& length, Problem& problem) {
    const void* nul = std::memchr(data + offset, 0, end - offset);
    if (nul == nullptr) {
        problem.text =
            what + at_byte(offset) + " is truncated: no terminating NUL before the end of the data";
        return false;
    }
    const auto text_length =
        static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - (data + offset));
    length = (text_length / 4 + 1) * 4;
    if (length > end - offset) {
        problem.text = what + at_byte(offset) + " is truncated: its padding needs " + std::to_string(length) +
                       " bytes, " + std::to_string(end - offset) + " left";
        return false;
    }
    for (std::size_t i = offset + text_length; i < offset + length; ++i) {
        if (data[i] != 0) {
            problem.text = "non-zero padding in " + what + at_byte(i);
            return false;
        }
    }
    return true;
}

// Bytes an argument of this type occupies, when fixed; -1 for variable-length types, -2 for
// types liblo does not know.
int fixed_arg_size(char tag) {
    switch (tag) {
        case 'T':
        case 'F':
        case 'N':
        case 'I':
            return 0;
        case 'i':
        case 'f':
        case 'c':
        case 'm':
            return 4;
        case 'h':
        case 'd':
        case 't':
            return 8;
        case 's':
        case 'S':
        case 'b':
            return -1;
        default:
            return -2;
    }
}

const char* liblo_error_text(int code) {
    switch (code) {
        case LO_ESIZE:
            return "size does not match the arguments";
        case LO_EINVALIDPATH:
            return "bad address string";
        case LO_ENOTYPE:
            return "missing type tag string";
        case LO_EINVALIDTYPE:
            return "bad type tag string";
        case LO_EBADTYPE:
            return "bad type tag string: does not start with ','";
        case LO_EINVALIDARG:
            return "bad argument";
        case LO_EALLOC:
            return "out of memory";
        case LO_ETERM:
            return "string not terminated";
        case LO_EPAD:
            return "non-zero padding";
        default:
            return "undecodable message";
    }
}

// Walks the message at [offset, end) checking everything lo_message_deserialise checks, so that the
// error can name the byte (liblo only returns a code) and so that liblo never reads past the data
// (0.31's blob check reads the 4-byte size before knowing 4 bytes remain).
bool check_message(const std::uint8_t* data, std::size_t offset, std::size_t end, Problem& problem) {
    std::size_t address_length = 0;
    if (!osc_string_length(data, offset, end, "address", address_length, problem)) return false;
    const std::size_t types_at = offset + address_length;
    if (types_at == end) {
        problem.text = "missing type tag string" + at_byte(types_at);
        return false;
    }
    if (data[types_at] != ',') {
        problem.text = "bad type tag string" + at_byte(types_at) + ": does not start with ','";
        return false;
    }
    std::size_t types_length = 0;
    if (!osc_string_length(data, types_at, end, "type tag string", types_length, problem)) return false;

    const char* tags = reinterpret_cast<const char*>(data + types_at + 1);
    const std::size_t tag_count = std::strlen(tags);
    std::size_t pos = types_at + types_length;
    for (std::size_t n = 0; n < tag_count; ++n) {
        const char tag = tags[n];
        const std::string which = "argument " + std::to_string(n + 1) + " (" + describe_tag(tag) + ")";
        const int fixed = fixed_arg_size(tag);
        const std::size_t left = end - pos;
        if (fixed == -2) {
            problem.text = "unknown type tag " + describe_tag(tag) + at_byte(types_at + 1 + n);
            return false;
        }
        if (fixed >= 0) {
            if (left < static_cast<std::size_t>(fixed)) {
                problem.text = which + at_byte(pos) + " is truncated: needs " + std::to_string(fixed) +
                               " bytes, " + std::to_string(left) + " left";
                return false;
            }
            pos += static_cast<std::size_t>(fixed);
        } else if (tag == 'b') {
            if (left < 4) {
                problem.text = which + at_byte(pos) + " is truncated: its size needs 4 bytes, " +
                               std::to_string(left) + " left";
                return false;
            }
            const auto declared = static_cast<std::int32_t>(read_be32(data + pos));
            if (declared < 0) {
                problem.text =
                    which + at_byte(pos) + " has a negative size (" + std::to_string(declared) + ")";
                return false;
            }
            const std::size_t blob_end = 4 + static_cast<std::size_t>(declared);
            const std::size_t padded = (blob_end + 3) / 4 * 4;
            if (padded > left) {
                problem.text = which + at_byte(pos) + " declares " + std::to_string(declared) +
                               " bytes but only " + std::to_string(left - 4) + " remain";
                return false;
            }
            for (std::size_t i = pos + blob_end; i < pos + padded; ++i) {
                if (data[i] != 0) {
                    problem.text = "non-zero padding in " + which + at_byte(i);
                    return false;
                }
            }
            pos += padded;
        } else {
            std::size_t length = 0;
            if (!osc_string_length(data, pos, end, which, length, problem)) return false;
            pos += length;
        }
    }
    if (pos != end) {
        problem.text = std::to_string(end - pos) + " unexpected bytes after the last argument" + at_byte(pos);
        return false;
    }
    return true;
}

template <typename T>
T load(const lo_arg* arg) {
    // liblo's argv points into its data at 4-byte alignment; lo_arg needs 8, so copy, never dereference.
    T value;
    std::memcpy(&value, reinterpret_cast<const unsigned char*>(arg), sizeof value);
    return value;
}

bool convert_args(lo_message msg, OscMessage& out, Problem& problem, std::size_t offset) {
    const int argc = lo_message_get_argc(msg);
    lo_arg** argv = lo_message_get_argv(msg);
    const char* types = lo_message_get_types(msg);
    out.types = types;
    if (argc < 0 || static_cast<std::size_t>(argc) != out.types.size() || (argc > 0 && argv == nullptr)) {
        problem.text = "undecodable message" + at_byte(offset);
        return false;
    }
    out.args.resize(static_cast<std::size_t>(argc));
    for (std::size_t n = 0; n < out.args.size(); ++n) {
        OscArg& arg = out.args[n];
        const lo_arg* raw = argv[n];
        arg.type = types[n];
        switch (arg.type) {
            case 'i':
                arg.i = load<std::int32_t>(raw);
                break;
            case 'h':
                arg.i = load<std::int64_t>(raw);
                break;
            case 'c':
                arg.i = static_cast<std::int64_t>(load<std::int32_t>(raw) & 0xff);
                break;
            case 'f':
                arg.f = static_cast<double>(load<float>(raw));
                break;
            case 'd':
                arg.f = load<double>(raw);
                break;
            case 's':
            case 'S':
                arg.s = reinterpret_cast<const char*>(raw);
                break;
            case 't': {
                // liblo stores the timetag as two host-order uint32: seconds, then fraction.
                const auto sec = load<std::uint32_t>(raw);
                std::uint32_t frac = 0;
                std::memcpy(&frac, reinterpret_cast<const unsigned char*>(raw) + 4, sizeof frac);
                arg.i = static_cast<std::int64_t>((std::uint64_t{sec} << 32) | frac);
                break;
            }
            case 'm': {
                const auto* bytes = reinterpret_cast<const std::uint8_t*>(raw);
                arg.blob.assign(bytes, bytes + 4);
                arg.i = static_cast<std::int64_t>(read_be32(bytes));
                break;
            }
            case 'b': {
                const auto size = load<std::int32_t>(raw);
                const auto* bytes = reinterpret_cast<const std::uint8_t*>(raw) + 4;
                arg.blob.assign(bytes, bytes + size);
                break;
            }
            case 'T':
                arg.i = 1;
                break;
            case 'F':
                arg.i = 0;
                break;
            case 'I':
                arg.f = std::numeric_limits<double>::infinity();
                break;
            default:
                break;  // 'N'
        }
    }
    return true;
}

struct LoMessageDeleter {
    void operator()(lo_message m) const { lo_message_free(m); }
};

bool parse_message(const std::uint8_t* data, std::size_t offset, std::size_t end,
                   std::optional<std::uint64_t> timetag, std::vector<OscMessage>& out, Problem& problem) {
    if (!check_message(data, offset, end, problem)) return false;
    int result = 0;
    // lo_message_deserialise only reads its input (it copies the arguments), despite the void*.
    std::unique_ptr<std::remove_pointer_t<lo_message>, LoMessageDeleter> msg(
        lo_message_deserialise(const_cast<std::uint8_t*>(data + offset), end - offset, &result));
    if (!msg || result != 0) {
        problem.text = std::string(liblo_error_text(result)) + at_byte(offset);
        return false;
    }
    OscMessage message;
    message.address = reinterpret_cast<const char*>(data + offset);
    message.timetag = timetag;
    if (!convert_args(msg.get(), message, problem, offset)) return false;
    out.push_back(std::move(message));
    return true;
}

constexpr std::uint8_t kBundleHeader[8] = {'#', 'b', 'u', 'n', 'd', 'l', 'e', 0};

bool parse_bundle(const std::uint8_t* data, std::size_t offset, std::size_t end, int depth,
                  std::vector<OscMessage>& out, Problem& problem) {
    if (depth > kMaxOscBundleDepth) {
        problem.text = "bundle" + at_byte(offset) + " is nested deeper than " +
                       std::to_string(kMaxOscBundleDepth) + " levels";
        return false;
    }
    const std::size_t left = end - offset;
    if (left < 8 || std::memcmp(data + offset, kBundleHeader, 8) != 0) {
        problem.text = "bad bundle header" + at_byte(offset) + " (expected \"#bundle\" and a NUL)";
        return false;
    }
    if (left < 16) {
        problem.text = "bundle" + at_byte(offset) + " is truncated: its timetag needs 8 bytes, " +
                       std::to_string(left - 8) + " left";
        return false;
    }
    const std::uint64_t tag = read_be64(data + offset + 8);
    const std::optional<std::uint64_t> timetag =
        tag == kOscTimetagImmediate ? std::nullopt : std::optional<std::uint64_t>(tag);

    std::size_t pos = offset + 16;
    while (pos < end) {
        const std::size_t remaining = end - pos;
        if (remaining < 4) {
            problem.text = "bundle element size" + at_byte(pos) + " is truncated: needs 4 bytes, " +
                           std::to_string(remaining) + " left";
            return false;
        }
        const auto size = static_cast<std::int32_t>(read_be32(data + pos));
        if (size <= 0) {
            problem.text =
                "bundle element" + at_byte(pos) + " has size " + std::to_string(size) + " (must be positive)";
            return false;
        }
        if (size % 4 != 0) {
            problem.text = "bundle element" + at_byte(pos) + " has size " + std::to_string(size) +
                           ", not a multiple of 4";
            return false;
        }
        const auto element_size = static_cast<std::size_t>(size);
        if (element_size > remaining - 4) {
            problem.text = "bundle element" + at_byte(pos) + " has size " + std::to_string(size) +
                           " but only " + std::to_string(remaining - 4) + " bytes remain";
            return false;
        }
        const std::size_t content = pos + 4;
        const std::size_t content_end = content + element_size;
        if (data[content] == '/') {
            if (!parse_message(data, content, content_end, timetag, out, problem)) return false;
        } else if (data[content] == '#') {
            if (!parse_bundle(data, content, content_end, depth + 1, out, problem)) return false;
        } else {
            problem.text = "bundle element" + at_byte(content) +
                           " is neither a message nor a bundle (first byte " +
                           describe_tag(static_cast<char>(data[content])) + ")";
            return false;
        }
        pos = content_end;
    }
    return true;
}

constexpr std::uint64_t kNtpToUnixSeconds = 2208988800ULL;  // 1900-01-01 -> 1970-01-01
constexpr std::int64_t kNsPerSecond = 1'000'000'000;

std::int64_t clock_ns(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
}

}  // namespace

bool parse_osc_packet(const std::uint8_t* data, std::size_t size, OscPacket& out, std::string* error) {
    out.messages.clear();
    out.is_bundle = false;
    Problem problem;
    bool ok = false;
    if (size == 0 || data == nullptr) {
        problem.text = "empty packet";
    } else if (data[0] == '/') {
        ok = parse_message(data, 0, size, std::nullopt, out.messages, problem);
    } else if (data[0] == '#') {
        out.is_bundle = true;
        ok = parse_bundle(data, 0, size, 1, out.messages, problem);
    } else {
        problem.text = "not an OSC packet: byte 0 is " + describe_tag(static_cast<char>(data[0])) +
                       ", expected '/' (a message) or '#bundle'";
    }
    if (!ok) {
        out.messages.clear();
        out.is_bundle = false;
        if (error != nullptr) *error = std::move(problem.text);
    }
    return ok;
}

std::vector<std::uint8_t> serialise_osc_message(const std::string& address, lo_message msg) {
    std::vector<std::uint8_t> bytes(lo_message_length(msg, address.c_str()));
    std::size_t size = bytes.size();
    lo_message_serialise(msg, address.c_str(), bytes.data(), &size);
    bytes.resize(size);
    return bytes;
}

std::int64_t ntp_to_unix_ns(std::uint64_t timetag) {
    std::uint64_t seconds = timetag >> 32;
    if ((seconds & 0x80000000ULL) == 0) seconds += 0x100000000ULL;  // era 1 (RFC 4330 section 3)
    const std::uint64_t frac = timetag & 0xffffffffULL;
    const auto frac_ns = static_cast<std::int64_t>((frac * kNsPerSecond + 0x80000000ULL) >> 32);
    return (static_cast<std::int64_t>(seconds) - static_cast<std::int64_t>(kNtpToUnixSeconds)) *
               kNsPerSecond +
           frac_ns;
}

std::uint64_t unix_ns_to_ntp(std::int64_t ns) {
    std::int64_t seconds = ns / kNsPerSecond;
    std::int64_t rest = ns % kNsPerSecond;
    if (rest < 0) {  // floor division for times before 1970
        rest += kNsPerSecond;
        seconds -= 1;
    }
    const std::uint64_t frac = ((static_cast<std::uint64_t>(rest) << 32) + kNsPerSecond / 2) / kNsPerSecond;
    const std::uint64_t ntp_seconds =
        static_cast<std::uint64_t>(seconds + static_cast<std::int64_t>(kNtpToUnixSeconds));
    return ((ntp_seconds & 0xffffffffULL) << 32) | frac;
}

std::int64_t realtime_minus_monotonic_ns() {
    const std::int64_t mono_before = clock_ns(CLOCK_MONOTONIC);
    const std::int64_t real = clock_ns(CLOCK_REALTIME);
    const std::int64_t mono_after = clock_ns(CLOCK_MONOTONIC);
    return real - (mono_before + (mono_after - mono_before) / 2);
}

std::int64_t ntp_to_monotonic_ns(std::uint64_t timetag) {
    return ntp_to_unix_ns(timetag) - realtime_minus_monotonic_ns();
}

}  // namespace tactus
