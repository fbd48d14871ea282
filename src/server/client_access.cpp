#include "server/client_access.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/file_read.h"
#include "core/private_dir.h"

namespace tactus {
namespace {

constexpr std::size_t kMinTokenChars = 16;

// The IPv4 address inside an IPv4-mapped IPv6 address, or the address as it is.
sockaddr_storage unmapped(const sockaddr_storage& addr) {
    if (addr.ss_family != AF_INET6) return addr;
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
    if (!IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) return addr;
    sockaddr_storage out{};
    auto& in = reinterpret_cast<sockaddr_in&>(out);
    in.sin_family = AF_INET;
    in.sin_port = in6.sin6_port;
    std::memcpy(&in.sin_addr, &in6.sin6_addr.s6_addr[12], 4);
    return out;
}

// The address bytes without the port ("" for anything but IPv4/IPv6).
std::string host_bytes(const sockaddr_storage& raw) {
    const sockaddr_storage addr = unmapped(raw);
    if (addr.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(addr);
        return std::string("4") + std::string(reinterpret_cast<const char*>(&in.sin_addr), 4);
    }
    if (addr.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
        return std::string("6") + std::string(reinterpret_cast<const char*>(&in6.sin6_addr), 16);
    }
    return "";
}

bool constant_time_equal(const std::string& a, const std::string& b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
    return diff == 0;
}

std::string first_line_trimmed(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.pop_back();
    std::size_t start = 0;
    while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
    return line.substr(start);
}

std::optional<std::string> read_token_file(const std::string& path, std::string* error) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        *error = "token file " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode)) {
        *error = "token file " + path + ": not a regular file";
        return std::nullopt;
    }
    if (st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
        *error =
            "token file " + path + ": must belong to this user and be closed to group and others (chmod 600)";
        return std::nullopt;
    }
    FileReadResult file = read_regular_file(path, 4096);
    if (!file.bytes) {
        *error = "token file " + path + ": " + file.error;
        return std::nullopt;
    }
    std::string token = first_line_trimmed(*file.bytes);
    if (token.size() < kMinTokenChars) {
        *error = "token file " + path + ": the token must be at least " + std::to_string(kMinTokenChars) +
                 " characters";
        return std::nullopt;
    }
    return token;
}

}  // namespace

std::optional<ClientAccess> ClientAccess::create(const ClientAccessOptions& options, std::string* error) {
    ClientAccess access;
    for (const std::string& host : options.trusted_hosts) {
        if (host == "none") {  // no IP host at all: only the private socket is served without the token
            access.trust_nobody_ = true;
            continue;
        }
        addrinfo hints{};
        hints.ai_flags = AI_NUMERICHOST;
        addrinfo* list = nullptr;
        if (getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0 || list == nullptr) {
            if (error) *error = "--trust-host " + host + ": not a numeric IPv4 or IPv6 address (or none)";
            return std::nullopt;
        }
        sockaddr_storage addr{};
        std::memcpy(&addr, list->ai_addr, list->ai_addrlen);
        freeaddrinfo(list);
        access.trusted_hosts_.push_back(addr);
    }
    access.token_ = options.token;
    return access;
}

bool ClientAccess::is_loopback(const sockaddr_storage& raw) {
    const sockaddr_storage addr = unmapped(raw);
    if (addr.ss_family == AF_INET)
        return (ntohl(reinterpret_cast<const sockaddr_in&>(addr).sin_addr.s_addr) >> 24) == 127;
    if (addr.ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr);
    return false;
}

bool ClientAccess::same_host(const sockaddr_storage& a, const sockaddr_storage& b) {
    const std::string ha = host_bytes(a);
    return !ha.empty() && ha == host_bytes(b);
}

bool ClientAccess::trusted(const sockaddr_storage& addr) const {
    if (trusted_hosts_.empty() && !trust_nobody_) return is_loopback(addr);
    for (const sockaddr_storage& host : trusted_hosts_)
        if (same_host(host, addr)) return true;
    return false;
}

ClientClass ClientAccess::classify(const ReplyTarget& from) const {
    if (from.kind == ReplyTarget::Kind::Local) return ClientClass::Owner;
    return trusted(from.addr) ? ClientClass::Local : ClientClass::Remote;
}

bool ClientAccess::admitted(const ReplyTarget& from) const {
    if (classify(from) != ClientClass::Remote) return true;
    return from.kind != ReplyTarget::Kind::Udp && tcp_admitted_.count(from.connection) != 0;
}

bool ClientAccess::authenticate(const ReplyTarget& from, const std::string& token) {
    if (token_.empty() || !constant_time_equal(token, token_)) {
        ++stats_.auth_refused;
        return false;
    }
    ++stats_.auth_accepted;
    if (from.kind != ReplyTarget::Kind::Udp) tcp_admitted_.insert(from.connection);
    return true;
}

std::optional<std::string> load_or_create_token(const std::string& token_file, int port,
                                                std::string* used_path, std::string* error) {
    if (!token_file.empty()) {
        *used_path = token_file;
        return read_token_file(token_file, error);
    }
    const auto dir = private_runtime_dir(error);
    if (!dir) return std::nullopt;
    const std::string path = *dir + "/tactusd-" + std::to_string(port) + ".token";
    *used_path = path;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) return read_token_file(path, error);

    unsigned char random[32];
    std::size_t got = 0;
    while (got < sizeof random) {
        const ssize_t n = ::getrandom(random + got, sizeof random - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            *error = std::string("cannot make a token: getrandom: ") + std::strerror(errno);
            return std::nullopt;
        }
        got += static_cast<std::size_t>(n);
    }
    static const char* hex = "0123456789abcdef";
    std::string token;
    for (unsigned char byte : random) {
        token += hex[byte >> 4];
        token += hex[byte & 15];
    }
    // The private directory is ours alone (0700), and the file is created 0600 with O_EXCL.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = "cannot create the token file " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    const std::string line = token + "\n";
    const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!written) {
        ::unlink(path.c_str());
        *error = "cannot write the token file " + path;
        return std::nullopt;
    }
    return token;
}

}  // namespace tactus
