// Who a client of the engine is, and whether it is served (docs/security.md, "Network").
//
//   Owner   the private Unix-domain socket: the transport has checked that the peer runs as the
//           engine's own user. Unconfined: may name any file (the file rules still hold).
//   Local   UDP or TCP from a trusted host: the loopback addresses, or the --trust-host list.
//           Served without a token (oscsend and other OSC tools), files confined to --allow-dir.
//   Remote  any other host. Served only with the engine's token, given by /auth: a TCP connection
//           as its first message (anything else closes the connection); over UDP, in EVERY
//           datagram, as its first message (a bundle [/auth TOKEN, /play, ...]). A datagram's
//           source address proves nothing (it can be forged, and another user can bind a port a
//           client let go), so UDP earns no lasting grant. Datagrams without the token are ignored
//           without a reply, so a forged one cannot make the engine send anything anywhere.
//
// Threading: the control thread only.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "server/osc_transport.h"

namespace tactus {

enum class ClientClass { Owner, Local, Remote };

struct ClientAccessOptions {
    std::vector<std::string> trusted_hosts;  // numeric addresses, or "none"; empty: the loopback addresses
    std::string token;                       // empty: no remote client can ever be served
};

struct ClientAccessStats {
    std::uint64_t auth_accepted = 0;
    std::uint64_t auth_refused = 0;     // wrong tokens
    std::uint64_t packets_ignored = 0;  // from remote peers that had not authenticated
};

class ClientAccess {
public:
    // Default: loopback trusted, no token.
    ClientAccess() = default;
    // nullopt with *error naming a --trust-host value that is not a numeric address.
    static std::optional<ClientAccess> create(const ClientAccessOptions& options, std::string* error);

    ClientClass classify(const ReplyTarget& from) const;
    // Owner and Local always; a Remote TCP connection once it has authenticated; a Remote UDP
    // datagram never by itself (its packet must carry /auth).
    bool admitted(const ReplyTarget& from) const;
    // Checks `token` (in constant time). When it is right, a TCP connection is admitted from now on
    // (a UDP datagram only for the packet that carries it).
    bool authenticate(const ReplyTarget& from, const std::string& token);
    // Forgets TCP connections for which `gone(id)` is true (call now and then).
    template <typename Gone>
    void forget_connections(Gone gone) {
        std::erase_if(tcp_admitted_, gone);
    }
    void count_ignored() { ++stats_.packets_ignored; }
    const ClientAccessStats& stats() const { return stats_; }
    bool has_token() const { return !token_.empty(); }

    // True when both are IP addresses of the same host (ports ignored; IPv4-mapped IPv6 = IPv4).
    static bool same_host(const sockaddr_storage& a, const sockaddr_storage& b);
    static bool is_loopback(const sockaddr_storage& addr);

private:
    bool trusted(const sockaddr_storage& addr) const;

    std::vector<sockaddr_storage> trusted_hosts_;  // empty (and not trust_nobody_): loopback
    bool trust_nobody_ = false;                    // --trust-host none
    std::string token_;
    std::set<std::uint64_t> tcp_admitted_;
    ClientAccessStats stats_;
};

// The token a remote client must give: read from `token_file` when given (a regular file of ours,
// closed to group and others; its first line, at least 16 characters), else from (or created in)
// <private dir>/tactusd-<port>.token with 32 random bytes in hex. *used_path says which file.
std::optional<std::string> load_or_create_token(const std::string& token_file, int port,
                                                std::string* used_path, std::string* error);

}  // namespace tactus
