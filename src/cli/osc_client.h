// The command line's OSC client. Toward an engine on this machine it speaks over the engine's private
// Unix-domain socket (<private dir>/tactusd-PORT.sock, OSC 1.0 stream framing): only the engine's own
// user can reach it, and files named there are not confined to the engine's --allow-dir. Toward
// another host, or when no socket is there, it sends UDP from a socket it also listens on, so that
// tactusd's replies (which go back to the sender) arrive here. Position reports always come over
// UDP to that socket. Built on liblo ((de)serialising, the UDP socket).
//
// Threading: one thread.
#pragma once

#include <lo/lo.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tactus::cli {

struct ReceivedMessage {
    std::string address;
    std::string types;
    std::vector<std::string> args;     // each argument as text
    std::vector<double> numbers;       // numeric arguments by position (NaN for non-numbers)
    std::vector<std::string> strings;  // string arguments by position ("" for non-strings)

    std::string to_string() const;  // "/reply \"/play\" 12345 4.0 0"
};

class OscClient {
public:
    OscClient();
    ~OscClient();
    OscClient(const OscClient&) = delete;
    OscClient& operator=(const OscClient&) = delete;

    // Opens the UDP socket; for a local host, also tries the engine's private socket (again on each
    // ping() until it is there, so that an engine started later is reached through it).
    bool open(const std::string& host, int port, std::string* error);
    // True when commands go over the private socket.
    bool is_local() const { return stream_fd_ >= 0; }
    // Sends `message` (the client keeps ownership) to the engine.
    bool send(const std::string& address, lo_message message);
    bool send(const std::string& address) {
        lo_message m = lo_message_new();
        const bool ok = send(address, m);
        lo_message_free(m);
        return ok;
    }
    // The next message that arrives within `timeout`, if any.
    std::optional<ReceivedMessage> receive(std::chrono::milliseconds timeout);
    // Waits for the reply to `address`: a /reply or /error whose first argument is `address`.
    std::optional<ReceivedMessage> wait_reply(const std::string& address, std::chrono::milliseconds timeout);
    // True when an engine answers /ping within `timeout`.
    bool ping(std::chrono::milliseconds timeout);
    // Asks for position reports at `rate_hz` to this client's UDP socket.
    bool subscribe_positions(double rate_hz);

private:
    static int on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message msg,
                          void* self);

    bool connect_local();
    // Reads what the private socket has (complete frames into the inbox); false when it closed.
    bool read_stream();
    void take_packet(const std::uint8_t* data, std::size_t size);

    lo_server server_ = nullptr;
    lo_address target_ = nullptr;
    std::string socket_path_;  // "" for a remote engine
    int stream_fd_ = -1;
    std::vector<std::uint8_t> stream_inbox_;
    std::vector<ReceivedMessage> inbox_;
};

// Builds a message from oscsend-style arguments: a type string ("ifs") then one value per type.
// Types: i h f d s T F N. nullptr with *error set when they do not match.
lo_message message_from_arguments(const std::vector<std::string>& args, std::string* error);

}  // namespace tactus::cli
